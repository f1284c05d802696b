#!/usr/bin/env bash
# What the Config rule costs at scale (issue 18, target 2): the release `config-rule` binary run
# as Lambda runs it (the test kit's Runtime API emulator) on a synthetic account served by the
# test kit's fake EC2 (EC2's own XML, paged), Config an HTTP capture. Prints the function
# process's CPU and wall time per scheduled invocation, its peak RSS, and the evaluations put.
# BENCHMARKS.md, "The Config rule at scale", has the figures and the profile commands.
#
#   scripts/bench-lambda.sh [PRESET] [RUNS]      # default: large 3
#   TESTKIT_SAFETY_TIMEOUT_S=3000 \
#   BENCH_WRAP="valgrind --tool=callgrind --callgrind-out-file=cg.out" scripts/bench-lambda.sh large 1
#   (under a profiler the run takes minutes: the emulator's 180 s wait must be lifted)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-large}"
runs="${2:-3}"

cargo bench --locked -p vpce-reach-config-rule --bench lambda -- "$preset" "$runs"
