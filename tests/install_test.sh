#!/usr/bin/env bash
# Installs the build into a scratch prefix, then builds examples/cpp/quickstart against it twice —
# through find_package(airlog) and through pkg-config — and runs both on a small log.
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/examples/cpp" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib64/pkgconfig"
# The package version is the one written in airlog/version.h (its only place).
header_version=$(sed -n 's/^#define AIRLOG_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' "$work/prefix/include/airlog/version.h" | paste -sd.)
[ "$(pkg-config --modversion airlog)" = "$header_version" ] || { echo "airlog.pc says $(pkg-config --modversion airlog), version.h $header_version" >&2; exit 1; }
# shellcheck disable=SC2046
g++ -std=c++20 "$source_dir/examples/cpp/quickstart.cpp" $(pkg-config --cflags --libs airlog) -o "$work/quickstart-pc"
printf '%s\n' \
  '[2024-01-02T00:00:05.678+0000] {taskinstance.py:1225} INFO - Marking task as FAILED. dag_id=etl, task_id=load, run_id=r1, execution_date=20240101T000000, start_date=20240102T000001, end_date=20240102T000005' \
  '[2024-01-02T00:00:05.700+0000] {local_task_job_runner.py:266} INFO - Task exited with return code 1' > "$work/task.log"
for bin in "$work/cmake-build/quickstart" "$work/quickstart-pc"; do
  out=$("$bin" "$work/task.log")
  [ "$out" = $'etl.load failed\n2 events' ] || { echo "unexpected output from $bin: $out" >&2; exit 1; }
done
echo "install test: find_package and pkg-config consumers built and ran"
