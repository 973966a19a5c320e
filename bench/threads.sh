#!/usr/bin/env bash
# bench/threads.sh — `airlog parse` as a whole process with --threads 1 and 2 (and more, THREADS),
# on a directory of many files and on one big file, with --output null and jsonl to /dev/null.
# Prints one Markdown row per case: the median wall time of RUNS runs, that run's user and sys CPU
# seconds, and the wall-time speed-up over one thread. On a shared machine wall time is noisy:
# read the CPU columns too, and `uptime` (printed first) says how busy the machine was.
#
#   bench/threads.sh build/release/airlog            # corpora generated under build/corpus
#
# Environment: THREADS_TREE (a directory; default build/corpus/threads-tree-256M, generated with
# corpus/generate.py --out … --size 256M --seed 7), THREADS_FILE (default
# build/corpus/threads-256M.log, --single), THREADS ("1 2"), RUNS (3), PYTHON (/usr/bin/python3).
set -euo pipefail
cli=$(realpath "$1")
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
tree=${THREADS_TREE:-build/corpus/threads-tree-256M}
file=${THREADS_FILE:-build/corpus/threads-256M.log}
threads=${THREADS:-1 2}
runs=${RUNS:-3}
[ -d "$tree" ] || "$PYTHON" corpus/generate.py --out "$tree" --size 256M --seed 7 >/dev/null
[ -s "$file" ] || "$PYTHON" corpus/generate.py --single "$file" --size 256M --seed 7 >/dev/null
echo "load: $(uptime | sed 's/.*load average: //')"
echo "| input | output | threads | wall s (median of $runs) | user s | sys s | speed-up |"
echo "|---|---|---|---|---|---|---|"
for input in "$tree" "$file"; do
  find "$input" -type f -exec cat {} + >/dev/null  # in the page cache: the runs time parsing, not the disk
  for output in null jsonl; do
    base=""
    for t in $threads; do
      rows=()
      for _ in $(seq "$runs"); do
        rows+=("$( { /usr/bin/time -f '%e %U %S' "$cli" parse --threads "$t" --output "$output" "$input" >/dev/null; } 2>&1 | tail -1)")
      done
      median=$(printf '%s\n' "${rows[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
      read -r wall user sys <<<"$median"
      [ -z "$base" ] && base=$wall
      speedup=$(awk -v a="$base" -v b="$wall" 'BEGIN { printf "%.2f×", (b > 0 ? a / b : 0) }')
      echo "| $(basename "$input") | $output | $t | $wall | $user | $sys | $speedup |"
    done
  done
done
