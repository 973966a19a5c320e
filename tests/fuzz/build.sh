#!/usr/bin/env bash
# Builds the libFuzzer harness tests/fuzz/fuzz_stream.cpp with ASan + UBSan.
#   tests/fuzz/build.sh [OUT_DIR]      (default: ${TMPDIR:-/tmp}/airlog-fuzz; nothing is written to the repo)
# Env: CXX (default clang++-14), JOBS (parallel compiles, default 1), EXTRA_FLAGS.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="${1:-${TMPDIR:-/tmp}/airlog-fuzz}"
CXX="${CXX:-clang++-14}"
JOBS="${JOBS:-1}"
mkdir -p "$OUT/obj"

# The library sources: exactly the add_library(airlog ...) list of CMakeLists.txt.
mapfile -t SRCS < <(sed -n '/^add_library(airlog$/,/^)/p' "$ROOT/CMakeLists.txt" | grep -o 'src/[A-Za-z0-9_/]*\.cpp')
[ "${#SRCS[@]}" -gt 0 ] || { echo "no sources found in CMakeLists.txt" >&2; exit 1; }

PKGS="libhs simdjson absl_status absl_statusor absl_time absl_raw_hash_set absl_hash absl_strings"
CFLAGS_PKG="$(pkg-config --cflags $PKGS)"
LIBS_PKG="$(pkg-config --libs $PKGS)"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
# Slices of 512 bytes (not 256 KiB) so that small inputs cross the parser's slice boundaries.
COMMON="-std=c++20 -O1 -g $SAN -DAIRLOG_SLICE_BYTES=512 -I$ROOT/include -I$ROOT/src $CFLAGS_PKG ${EXTRA_FLAGS:-}"

# Library: coverage instrumentation without libFuzzer's main.
printf '%s\n' "${SRCS[@]}" | xargs -P "$JOBS" -I{} sh -c \
  'f="{}"; o="'"$OUT"'/obj/$(echo "${f%.cpp}" | tr / _).o"; echo "CXX $f"; '"$CXX"' '"$COMMON"' -fsanitize=fuzzer-no-link -c "'"$ROOT"'/$f" -o "$o"'

echo "CXX tests/fuzz/fuzz_stream.cpp"
$CXX $COMMON -fsanitize=fuzzer -c "$ROOT/tests/fuzz/fuzz_stream.cpp" -o "$OUT/obj/fuzz_stream.o"
OBJS=()
for f in "${SRCS[@]}"; do OBJS+=("$OUT/obj/$(echo "${f%.cpp}" | tr / _).o"); done
$CXX $SAN -fsanitize=fuzzer "$OUT/obj/fuzz_stream.o" "${OBJS[@]}" $LIBS_PKG -o "$OUT/fuzz_stream"
echo "built $OUT/fuzz_stream"
