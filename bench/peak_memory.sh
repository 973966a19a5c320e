#!/usr/bin/env bash
# bench/peak_memory.sh — peak memory and throughput of `airlog parse` over a big generated file:
# the CLI reads through Stream::feed with a fixed-size buffer, so its memory must not grow with
# the input (issue 3: under 64 MB for 1 GB). Builds the CLI (Release) and generates the corpus
# when missing, runs it once under /usr/bin/time -v with the events to /dev/null (they are still
# rendered), checks the stats, prints max RSS and MB/s, and fails when RSS passes the limit.
#
#   bash bench/peak_memory.sh          # 1 GB
#   bash bench/peak_memory.sh 256M     # another size (K/M/G suffix, as corpus/generate.py takes)
#
# Environment: BUILD_DIR (default build/release), AIRLOG (the binary; default $BUILD_DIR/airlog),
# CORPUS (default build/corpus/peak-<SIZE>.log, kept for later runs), PYTHON (default
# /usr/bin/python3), LIMIT_MB (default 64), JOBS (default: all cores).
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${1:-1G}
BUILD_DIR=${BUILD_DIR:-build/release}
AIRLOG=${AIRLOG:-$BUILD_DIR/airlog}
CORPUS=${CORPUS:-build/corpus/peak-$SIZE.log}
PYTHON=${PYTHON:-/usr/bin/python3}
LIMIT_MB=${LIMIT_MB:-64}
JOBS=${JOBS:-$(nproc)}

if [ ! -x /usr/bin/time ]; then
  echo "peak_memory.sh: needs /usr/bin/time (apt-get install time)" >&2
  exit 2
fi
if [ -z "${AIRLOG_SKIP_BUILD:-}" ] && [ "$AIRLOG" = "$BUILD_DIR/airlog" ]; then
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" -j"$JOBS" --target airlog_cli >/dev/null
fi
if [ ! -s "$CORPUS" ]; then
  mkdir -p "$(dirname "$CORPUS")"
  echo "generating $SIZE corpus at $CORPUS …" >&2
  "$PYTHON" corpus/generate.py --single "$CORPUS" --size "$SIZE" --seed 7 >&2
fi

report=$(mktemp)
stats=$(mktemp)
trap 'rm -f "$report" "$stats"' EXIT
/usr/bin/time -v -o "$report" "$AIRLOG" parse --stats "$CORPUS" >/dev/null 2>"$stats"

bytes=$(stat -c %s "$CORPUS")
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$report")
wall=$(awk -F': ' '/Elapsed \(wall clock\) time/ {print $2}' "$report")  # [h:]mm:ss.ss
secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
"$PYTHON" - "$stats" "$bytes" <<'EOF'
import json, sys
stats = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
assert stats["bytes_in"] == int(sys.argv[2]), ("bytes_in", stats["bytes_in"], sys.argv[2])
assert stats["lines_in"] == stats["events_out_lines"] + stats["duplicates_dropped"], stats
print(f"events: {stats['events_out']:,} from {stats['lines_in']:,} lines")
EOF
awk -v b="$bytes" -v s="$secs" -v r="$rss_kb" -v l="$LIMIT_MB" 'BEGIN {
  printf "input: %.1f MB in %.2f s = %.0f MB/s (parse + JSON rendering + I/O, one thread)\n", b / 1e6, s, b / 1e6 / s
  printf "peak memory: max RSS %.1f MB (%d KiB); limit %d MB\n", r / 1024, r, l
}'
if [ "$rss_kb" -gt $((LIMIT_MB * 1024)) ]; then
  echo "peak_memory.sh: FAIL: max RSS ${rss_kb} KiB is over ${LIMIT_MB} MB" >&2
  exit 1
fi
