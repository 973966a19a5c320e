#!/usr/bin/env bash
# The Go binding's throughput next to the C++ API's, in one run on the same corpus:
#   C++  bench/parse_bench.cpp BM_airlog_parse   (Stream::parse over 4 MiB blocks)
#   C    bench/c_api_bench.cpp BM_c_api_parse/feed (the same through the C API, no cgo)
#   Go   BenchmarkParseCorpus                    (the same loop through cgo, events made Go values)
#   Go   BenchmarkFeedCorpus                     (Parser.Feed of 4 MiB reads, then Flush)
# and the ratio Go / C++ (the issue's target: at least 0.70).
#
#   bench/go_bench.sh [CORPUS]      # default build/corpus/bench-64M.log, generated when missing
# Needs a Release build in build/release (or $AIRLOG_BUILD) with airlog_bench and libairlog.so.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${AIRLOG_BUILD:-$root/build/release}
corpus=${1:-${AIRLOG_BENCH_CORPUS:-$root/build/corpus/bench-64M.log}}
python=${PYTHON:-/usr/bin/python3}

if [ ! -f "$corpus" ]; then
  mkdir -p "$(dirname "$corpus")"
  "$python" "$root/corpus/generate.py" --single "$corpus" --size 64M --seed 7 >/dev/null
fi
corpus=$(cd "$(dirname "$corpus")" && pwd)/$(basename "$corpus")
for need in "$build/bench/airlog_bench" "$build/libairlog.so"; do
  [ -e "$need" ] || { echo "missing $need: build it first (cmake --build $build --target airlog_bench airlog_shared)" >&2; exit 1; }
done

# Cores are shared and noisy: each side runs 3 times and the best wall-clock rate counts (Google
# Benchmark's own bytes_per_second divides by CPU time; Go's MB/s by wall time).
cpp_json=$(mktemp)
trap 'rm -f "$cpp_json"' EXIT
"$build/bench/airlog_bench" --corpus "$corpus" --benchmark_filter='BM_airlog_parse$|BM_c_api_(parse|feed)$' \
  --benchmark_repetitions=3 --benchmark_format=json >"$cpp_json" 2>/dev/null
cpp_mbs() { "$python" -c '
import json, sys
size = int(sys.argv[3])
scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
runs = [b for b in json.load(open(sys.argv[1]))["benchmarks"]
        if b["name"].split("/")[0] == sys.argv[2] and b.get("run_type", "iteration") == "iteration"]
print("%.1f" % max(size / (b["real_time"] * scale[b["time_unit"]]) / 1e6 for b in runs))' "$cpp_json" "$1" "$(stat -c %s "$corpus")"; }
cpp_parse=$(cpp_mbs BM_airlog_parse)
c_parse=$(cpp_mbs BM_c_api_parse)
c_feed=$(cpp_mbs BM_c_api_feed)

go_out=$(cd "$root/bindings/go" && \
  CGO_LDFLAGS="-L$build -Wl,-rpath,$build" GOCACHE="$build/go/cache" GOPATH="$build/go/path" \
  GOFLAGS=-buildvcs=false GOPROXY=off AIRLOG_BENCH_CORPUS="$corpus" \
  go test -run '^$' -bench '^Benchmark(Parse|Feed)Corpus$' -benchtime 5x -count 3 .)
go_mbs() { printf '%s\n' "$go_out" | awk -v name="$1" '$1 ~ "^"name"(-[0-9]+)?$" { for (i = 1; i < NF; i++) if ($(i+1) == "MB/s" && $i > best) best = $i } END { if (best) print best }'; }
parse_mbs=$(go_mbs BenchmarkParseCorpus)
feed_mbs=$(go_mbs BenchmarkFeedCorpus)
[ -n "$parse_mbs" ] && [ -n "$feed_mbs" ] || { echo "no Go benchmark result:" >&2; echo "$go_out" >&2; exit 1; }
ratio() { awk -v a="$1" -v b="$cpp_parse" 'BEGIN { printf "%.2f", a / b }'; }
# Lines per second from the same rate: the corpus's lines over the time its bytes took.
bytes=$(stat -c %s "$corpus")
lines=$(wc -l <"$corpus")
mlines() { awk -v mbs="$1" -v bytes="$bytes" -v lines="$lines" 'BEGIN { printf "%.2f", mbs * 1e6 / bytes * lines / 1e6 }'; }
row() { printf '%-36s %8s MB/s %6s M lines/s%s\n' "$1" "$2" "$(mlines "$2")" "$3"; }

echo "corpus: $corpus ($bytes bytes, $lines lines); best of 3, MB/s = 10^6 bytes per wall-clock second"
row "C++  BM_airlog_parse (reference)" "$cpp_parse" ""
row "C    BM_c_api_parse" "$c_parse" "   / C++ = $(ratio "$c_parse")"
row "C    BM_c_api_feed" "$c_feed" "   / C++ = $(ratio "$c_feed")"
row "Go   BenchmarkParseCorpus (cgo)" "$parse_mbs" "   / C++ = $(ratio "$parse_mbs")"
row "Go   BenchmarkFeedCorpus (cgo)" "$feed_mbs" "   / C++ = $(ratio "$feed_mbs")"
