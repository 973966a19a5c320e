#!/usr/bin/env bash
# The Go side's checks (run by the ctest ServeGo with the build's cgo flags in the environment):
# gofmt-clean (this module and the binding), vet-clean, then every test — the unit tests and
# the end-to-end tests against VictoriaLogs (e2e/, AIRLOG_VL_BIN).
set -euo pipefail
cd "$(dirname "$0")"
gofmt=$(dirname "$(command -v go)")/gofmt
unformatted=$("$gofmt" -l . ../../bindings/go)
if [[ -n "$unformatted" ]]; then
  echo "not gofmt-formatted:" >&2
  echo "$unformatted" >&2
  exit 1
fi
go vet ./...
exec go test -count=1 -timeout 900s ./...
