#!/usr/bin/env bash
# bench/run.sh — builds airlog_bench (Release), generates the 64 MB benchmark corpus if it is
# missing, runs every benchmark three times and prints a markdown table of the medians.
#
#   bash bench/run.sh                                   # everything
#   bash bench/run.sh --benchmark_filter='airlog|re2'   # extra flags go to airlog_bench
#
# Environment: BUILD_DIR (default build/release), AIRLOG_BENCH_CORPUS (default
# build/corpus/bench-64M.log), JOBS (default: all cores), PYTHON (default /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build/release}
CORPUS=${AIRLOG_BENCH_CORPUS:-build/corpus/bench-64M.log}
JOBS=${JOBS:-$(nproc)}
PYTHON=${PYTHON:-/usr/bin/python3}

bash tools/install-deps.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS" --target airlog_bench >/dev/null

if [ ! -s "$CORPUS" ]; then
  mkdir -p "$(dirname "$CORPUS")"
  "$PYTHON" corpus/generate.py --single "$CORPUS" --size 64M --seed 7
fi

results=$(mktemp --suffix=.json)
trap 'rm -f "$results"' EXIT
# Console output (and the peers' event counts on stderr) as it runs; JSON for the table.
"$BUILD_DIR/bench/airlog_bench" --corpus "$CORPUS" \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_out="$results" --benchmark_out_format=json "$@"

echo
echo "machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1), $(nproc) cores"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "corpus: $CORPUS ($(du -m "$CORPUS" | cut -f1) MiB)"
echo
"$PYTHON" - "$results" <<'EOF'
import json, sys

runs = json.load(open(sys.argv[1]))["benchmarks"]
median = {r["run_name"]: r for r in runs if r.get("aggregate_name") == "median"}
re2 = median.get("BM_peer_re2/MiB:0", {}).get("bytes_per_second")
print("median of 3 runs, CPU time, one thread\n")
print("| benchmark | MB/s | M lines/s | × RE2 |")
print("|---|---:|---:|---:|")
for name, r in median.items():
    mb = r["bytes_per_second"] / 1e6
    lines = r.get("lines_per_second", 0) / 1e6
    ratio = f"{r['bytes_per_second'] / re2:.1f}" if re2 else "–"
    print(f"| {name} | {mb:,.0f} | {lines:.2f} | {ratio} |")
EOF
