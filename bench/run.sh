#!/bin/sh
# Builds bench_throughput (and fcp-exec) and runs it. Arguments go to
# bench_throughput, e.g.:
#   bench/run.sh                       # 2,000 programs, 2 jobs, 3 rounds
#   bench/run.sh --json bench.json     # also write the figures as JSON
#   bench/run.sh --programs 500 --rounds 5
# Environment: BUILD_DIR (default build), CC (plain-C compiler, default: the
# project's C compiler), FORKCONF_EXECUTOR (fcp-exec to measure).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-"$root/build"}

if [ ! -f "$build/CMakeCache.txt" ]; then
  if command -v ninja >/dev/null 2>&1; then
    cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  else
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
fi
# Two shared cores: build only what the benchmark needs, one job at a time.
cmake --build "$build" --target bench_throughput fcp-exec -j1

exec "$build/bench_throughput" "$@"
