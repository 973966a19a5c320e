#!/usr/bin/env bash
# bench/serve_bench.sh — `airlog serve` end to end on this machine, on loopback:
#   airlog-loadgen (16 connections, snappy protobuf pushes of real-like logs, several streams each)
#     -> airlog-serve serve --workers 2 (default flags otherwise) -> airlog-sink (counts)
# next to the loadgen straight into the sink (the hop's floor), at saturation and at a fixed
# moderate rate. Prints a markdown table of medians over 3 runs: MB/s and lines/s through the hop,
# serve's CPU seconds, MB/s per core (bytes / serve's CPU time), peak RSS, p50 / p99 push latency;
# then the latency airlog adds. bench/serve_bench.py says exactly how each figure is taken.
#
#   bash bench/serve_bench.sh                          # 3 runs of each configuration
#   bash bench/serve_bench.sh --runs 5 --rate 10       # extra flags go to bench/serve_bench.py
#
# Builds airlog-serve (CMake target airlog_serve, Release) and the loadgen and sink (plain Go, no
# cgo) into build/tools/bin; generates the corpus when missing. The loadgen and the sink share the
# cores with serve, so MB/s per core is the figure to compare across machines.
#
# Environment: BUILD_DIR (default build/release), CORPUS (default build/corpus/serve-bench, made by
# corpus/generate.py --out … --size 64M --seed 42), WORK (default build/bench/serve: staged input,
# logs and loadgen reports of every run, runs.json), PYTHON (default /usr/bin/python3), JOBS.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build/release}
CORPUS=${CORPUS:-build/corpus/serve-bench}
WORK=${WORK:-build/bench/serve}
PYTHON=${PYTHON:-/usr/bin/python3}
JOBS=${JOBS:-$(nproc)}
TOOLS=build/tools/bin

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS" --target airlog_serve >/dev/null
[ -x "$BUILD_DIR/airlog-serve" ] || { echo "serve_bench.sh: no $BUILD_DIR/airlog-serve (is Go 1.23+ installed?)" >&2; exit 1; }
mkdir -p "$TOOLS"
(cd tools/serve && CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false" \
  go build -o "$OLDPWD/$TOOLS/" ./cmd/airlog-loadgen ./cmd/airlog-sink)

if [ ! -s "$CORPUS/manifest.json" ]; then
  echo "generating the 64 MB corpus in $CORPUS …" >&2
  rm -rf "$CORPUS"
  "$PYTHON" corpus/generate.py --out "$CORPUS" --size 64M --seed 42 >&2
fi
mkdir -p "$WORK"

echo "machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1), $(nproc) cores (shared by loadgen, serve and sink)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); airlog $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (modified)')"
echo "corpus: $CORPUS"
"$PYTHON" bench/serve_bench.py --serve "$BUILD_DIR/airlog-serve" --loadgen "$TOOLS/airlog-loadgen" \
  --sink "$TOOLS/airlog-sink" --corpus "$CORPUS" --work "$WORK" --json "$WORK/runs.json" "$@"
