#!/usr/bin/env bash
# Runs one libFuzzer target (tests/fuzz/CMakeLists.txt makes a ctest of each mode):
#   run.sh fuzz   BIN TARGET SRC_DIR WORK_DIR SECONDS DICT   bounded run from the seeds with the
#                 dictionary; FUZZ_SECONDS in the environment overrides SECONDS
#   run.sh replay BIN TARGET SRC_DIR                   every seed and regression input, once
# A failing run names the reproducer and how to replay it.
set -uo pipefail
mode=$1 bin=$2 target=$3 src=$4
seeds="$src/corpus/$target"
regressions="$src/regressions/$target"

case "$mode" in
  fuzz)
    work=$5 seconds=${FUZZ_SECONDS:-$6} dict=$7
    mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
    log="$work/$target/last-run.log"
    nice -n 5 "$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 -max_len=16384 \
      -print_final_stats=1 -dict="$dict" -artifact_prefix="$work/$target/artifacts/" \
      "$work/$target/corpus" "$seeds" >"$log" 2>&1
    rc=$?
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs)' "$log"
    if [ $rc -ne 0 ]; then
      tail -n 60 "$log"
      artifact=$(grep -o 'Test unit written to [^ ]*' "$log" | tail -n 1 | sed 's/Test unit written to //')
      echo "FUZZ FAILURE in $target (exit $rc); log: $log"
      if [ -n "$artifact" ]; then
        echo "reproducer: $artifact"
        echo "replay:     $bin $artifact"
        echo "once fixed, commit it as tests/fuzz/regressions/$target/<name> (FuzzReplay.$target replays it)"
      fi
      exit 1
    fi
    ;;
  replay)
    files=()
    for d in "$seeds" "$regressions"; do
      [ -d "$d" ] && while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$d" -type f -print0 | sort -z)
    done
    [ ${#files[@]} -gt 0 ] || { echo "no seeds or regressions for $target" >&2; exit 1; }
    "$bin" "${files[@]}" >/dev/null 2>"${TMPDIR:-/tmp}/airlog-replay-$target.$$.log"
    rc=$?
    if [ $rc -ne 0 ]; then
      tail -n 60 "${TMPDIR:-/tmp}/airlog-replay-$target.$$.log"
      echo "REPLAY FAILURE in $target: the input last named above (Running: …) fails; replay: $bin <file>"
    else
      echo "replayed ${#files[@]} inputs of $target"
    fi
    rm -f "${TMPDIR:-/tmp}/airlog-replay-$target.$$.log"
    exit $rc
    ;;
  *) echo "usage: run.sh fuzz|replay …" >&2; exit 2 ;;
esac
