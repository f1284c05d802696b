#!/usr/bin/env bash
# What `vpce-reach check DIR --format json` costs as a whole process (issue 18, target 1):
# writes a synthetic preset to disk, builds the release CLI (offline: no `live` feature, so no
# AWS SDK), runs it RUNS times and prints the best wall and CPU time and the peak RSS, next to
# the snapshot's size on disk. BENCHMARKS.md, "The CLI as a whole", has the figures and the
# callgrind commands that split the instructions by phase.
#
#   scripts/bench-cli.sh [PRESET] [RUNS]      # default: large 15
#   BENCH_MISCONFIG=0 scripts/bench-cli.sh org 3   # the synth's --misconfig (0: a clean account)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-large}"
runs="${2:-15}"
target="${CARGO_TARGET_DIR:-target}"

cargo build --quiet --release -p vpce-reach-synth --bin synth
cargo build --quiet --release --bin vpce-reach
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
synth_args=()
if [[ -n "${BENCH_MISCONFIG:-}" ]]; then synth_args=(--misconfig "$BENCH_MISCONFIG"); fi
"$target/release/synth" "$preset" "$dir/snapshot" "${synth_args[@]}" > /dev/null

python3 - "$target/release/vpce-reach" "$dir/snapshot" "$runs" <<'EOF'
import os, resource, subprocess, sys, time

cli, snapshot, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
on_disk = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(snapshot) for f in fs)
walls, cpus = [], []
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([cli, "check", snapshot, "--format", "json"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls.append(time.perf_counter() - start)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    if done.returncode not in (0, 1):
        sys.exit(f"vpce-reach check exited {done.returncode}")
# ru_maxrss of the children is the largest of them, in KiB on Linux.
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
mb = lambda b: b / 1e6
print(f"snapshot on disk   {mb(on_disk):8.1f} MB")
print(f"best wall time     {min(walls) * 1e3:8.0f} ms   (median {sorted(walls)[len(walls) // 2] * 1e3:.0f} ms)")
print(f"best CPU time      {min(cpus) * 1e3:8.0f} ms   (user + system)")
print(f"peak RSS           {mb(peak):8.1f} MB   ({peak / on_disk:.2f}x the snapshot)")
EOF
