#!/usr/bin/env bash
# Runs every Go fuzz target of airlog serve's request decoding (packages lokipush and
# internal/gateway: protobuf, snappy, JSON, gzip) for FUZZ_SECONDS each (default 20) with
# `go test -fuzz`, in the cgo environment of the ctest ServeGoFuzz. Go saves a failing input
# under <package>/testdata/fuzz/<FuzzName>/; plain `go test` (ServeGo) replays it from then on:
# commit it with the fix.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${FUZZ_SECONDS:-20}
for pkg in ./lokipush ./internal/gateway; do
  for name in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz'); do
    echo "== $pkg $name (${seconds}s)"
    log=$(mktemp)
    status=0
    go test -run '^$' -fuzz "^${name}\$" -fuzztime "${seconds}s" -parallel 2 "$pkg" >"$log" 2>&1 || status=$?
    if [ $status -ne 0 ]; then
      cat "$log"
      rm -f "$log"
      echo "GO FUZZ FAILURE in $pkg $name: the failing input is under $pkg/testdata/fuzz/$name/"
      exit 1
    fi
    grep -E '^fuzz: elapsed: .*execs' "$log" | tail -n 1 || true # the executions of the whole run
    rm -f "$log"
  done
done
