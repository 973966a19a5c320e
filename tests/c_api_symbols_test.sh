#!/usr/bin/env bash
# libairlog.so exports the C API and nothing else: every dynamic symbol it defines starts with
# airlog_, the set equals the functions include/airlog/airlog.h declares with AIRLOG_API, and the
# SONAME carries the major version (libairlog.so.<major>).
set -euo pipefail
lib=$1
header=$2

soname=$(readelf -d "$lib" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
major=$(sed -n 's/^#define AIRLOG_VERSION_MAJOR \([0-9]*\)$/\1/p' "$(dirname "$header")/version.h")
[ "$soname" = "libairlog.so.$major" ] || { echo "SONAME is '$soname', expected libairlog.so.$major" >&2; exit 1; }

exported=$(nm -D --defined-only "$lib" | awk '{print $NF}' | sed 's/@.*//' | sort -u)
count=$(printf '%s\n' "$exported" | grep -c .)
stray=$(printf '%s\n' "$exported" | grep -v '^airlog_' || true)
if [ -n "$stray" ]; then
  echo "symbols exported without the airlog_ prefix:" >&2
  printf '%s\n' "$stray" | head -20 >&2
  exit 1
fi

declared=$(grep -o '^AIRLOG_API [^(]*(' "$header" | sed 's/.*[ *]\(airlog_[a-z0-9_]*\)($/\1/' | sort -u)
if [ "$exported" != "$declared" ]; then
  echo "exported symbols differ from the functions airlog.h declares:" >&2
  diff <(printf '%s\n' "$declared") <(printf '%s\n' "$exported") >&2 || true
  exit 1
fi
echo "libairlog: SONAME $soname, $count symbols exported, all airlog_* and all declared in airlog.h"
