#!/usr/bin/env bash
# The HTML report on the large synthetic account (BENCHMARKS.md, "The HTML report"): generation
# time, file size, and how long headless Chromium takes to show it. Usage:
#   scripts/bench-html.sh [DIR]   (DIR: where the snapshot and pages go; default a temp dir)
# Needs release builds of the CLI and the generator (built here) and /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-$(mktemp -d)}"
cargo build --quiet --release --locked -p vpce-reach-synth --bin synth -p vpce-reach --bin vpce-reach
bin="${CARGO_TARGET_DIR:-target}/release"
[ -d "$dir/large" ] || "$bin/synth" large "$dir/large" >/dev/null
for run in 1 2 3; do
  /usr/bin/time -f "generation: %e s wall, %M KB peak RSS" \
    "$bin/vpce-reach" check "$dir/large" --format html >"$dir/large.html" 2>"$dir/gen.err" || true
  grep '^generation' "$dir/gen.err"
  /usr/bin/time -f "json, for comparison: %e s wall" \
    "$bin/vpce-reach" check "$dir/large" --format json >/dev/null 2>"$dir/gen.err" || true
  grep '^json' "$dir/gen.err"
done
echo "size: $(stat -c %s "$dir/large.html") bytes"
# Render time as the page itself sees it: from navigation start to the first frame after the
# load event. The page's policy allows its own script only, so the probe is put in a copy with
# the policy removed (the report is otherwise unchanged).
probe='<script>addEventListener("load",function(){requestAnimationFrame(function(){setTimeout(function(){console.log("vpce-reach-render-ms "+Math.round(performance.now()))},0)})})</script>'
sed -e '/http-equiv="Content-Security-Policy"/d' -e "s|</head>|$probe</head>|" "$dir/large.html" >"$dir/probe.html"
for run in 1 2 3; do
  profile="$(mktemp -d)"
  /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 --window-size=1400,1800 \
    --screenshot="$dir/large.png" "file://$dir/probe.html" 2>&1 >/dev/null |
    grep -o 'vpce-reach-render-ms [0-9]*' || echo "no render time logged"
  rm -rf "$profile"
done
