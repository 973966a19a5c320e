#!/usr/bin/env bash
# The installed C API works for a C consumer: after `cmake --install`, examples/c/tail.c builds as
# C99 against the installed airlog.h and libairlog.so through pkg-config (airlog-c.pc) and through
# find_package(airlog) (target airlog::airlog_c), and both binaries parse a log.
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
libdir=$(ls -d "$work/prefix"/lib*/ | head -n1)
[ -L "$libdir/libairlog.so.0" ] || [ -f "$libdir/libairlog.so.0" ] || { echo "libairlog.so.0 not installed in $libdir" >&2; exit 1; }
[ -f "$work/prefix/include/airlog/airlog.h" ] || { echo "airlog.h not installed" >&2; exit 1; }

export PKG_CONFIG_PATH="$libdir/pkgconfig"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Werror "$source_dir/examples/c/tail.c" $(pkg-config --cflags --libs airlog-c) \
  -Wl,-rpath,"$libdir" -o "$work/tail-pc"

mkdir -p "$work/consumer"
cat > "$work/consumer/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.22)
project(airlog_c_consumer C CXX)
find_package(airlog REQUIRED)
add_executable(tail "$source_dir/examples/c/tail.c")
target_link_libraries(tail PRIVATE airlog::airlog_c)
CMAKE
cmake -S "$work/consumer" -B "$work/consumer/build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer/build" >/dev/null

printf '%s\n' \
  '[2024-01-02T00:00:05.678+0000] {taskinstance.py:1225} INFO - Marking task as FAILED. dag_id=etl, task_id=load, run_id=r1, execution_date=20240101T000000, start_date=20240102T000001, end_date=20240102T000005' \
  '[2024-01-02T00:00:05.700+0000] {local_task_job_runner.py:266} INFO - Task exited with return code 1' > "$work/task.log"
for bin in "$work/tail-pc" "$work/consumer/build/tail"; do
  # Captured first: `ldd | grep -q` under pipefail fails when grep exits before ldd has written all.
  deps=$(ldd "$bin")
  grep -q "libairlog.so.0 => $libdir" <<<"$deps" || { echo "$bin does not load the installed libairlog.so.0" >&2; echo "$deps" >&2; exit 1; }
  out=$("$bin" "$work/task.log")
  printf '%s\n' "$out" | grep -qx 'events 2' && printf '%s\n' "$out" | grep -qx 'event task_state 1' ||
    { echo "unexpected output from $bin: $out" >&2; exit 1; }
done
echo "C API install test: pkg-config and find_package consumers of libairlog.so built and ran"
