#!/usr/bin/env bash
# bench/run.sh (`make bench`) — the whole benchmark suite from a clean clone: installs what it needs,
# builds airlog, its benchmark binary and every peer (C++ engines, Go, Rust, Python), makes the
# corpora (bench/corpora.py, kept in build/bench/corpora) and runs bench/suite.py, which checks that
# every peer extracts what airlog extracts, times them all and writes BENCHMARKS.md and
# docs/benchmarks.png. About 10 minutes on 2 cores; run it on a quiet machine.
#
# Environment: BUILD_DIR (default build/release), CORPUS_SIZE (default 32M), JOBS (default: all
# cores). Extra arguments go to bench/suite.py.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build/release}
CORPUS_SIZE=${CORPUS_SIZE:-32M}
JOBS=${JOBS:-$(nproc)}
PYTHON=/usr/bin/python3
started=$(date +%s)

bash tools/install-deps.sh --bench
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS" --target airlog_cli airlog_bench airlog_peer >/dev/null
bash bench/peers/build.sh "$BUILD_DIR"
"$PYTHON" bench/corpora.py build/bench/corpora --size "$CORPUS_SIZE" --airlog "$BUILD_DIR/airlog"
"$PYTHON" bench/suite.py --build "$BUILD_DIR" --corpora build/bench/corpora "$@"
echo "bench: done in $(( $(date +%s) - started )) s"
