#!/usr/bin/env bash
# VictoriaLogs for airlog serve's end-to-end tests and benchmark: a real store that speaks Loki's
# push protocol.
#
#   tools/victoria-logs.sh [install]        build it into build/tools/bin if missing; print its path
#   tools/victoria-logs.sh start DIR PORT   run it on 127.0.0.1:PORT with data in DIR (log DIR/vl.log, pid DIR/pid)
#   tools/victoria-logs.sh stop DIR         SIGTERM the one started in DIR and wait for it
#   tools/victoria-logs.sh flush PORT       make everything ingested visible to queries now
#   tools/victoria-logs.sh query PORT 'LOGSQL' [TENANT]   print the matching entries as JSON lines
#
# AIRLOG_VL_BIN, when set, is used instead of building (the Go tests read the same variable).
#
# What a Loki push becomes (VictoriaLogs v1.52.2, app/vlinsert/loki):
# - POST /insert/loki/api/v1/push takes snappy protobuf (any Content-Type but JSON) and
#   application/json; answers 204. Entries with timestamp 0 get the current time.
# - Each stream label is a stream field of the same name: `{filename="x.log"}` (stream filter) or
#   `filename:="x.log"` (field filter) both find it; `_stream` is the label set as text,
#   `{filename="x.log",job="airlog-test"}`, and `_stream_id` its hash.
# - Structured metadata pairs are ordinary fields under their own names (`run_id:=abc`); nothing
#   to enable. Labels and metadata with an empty value are not stored at all.
# - The line is `_msg`, byte for byte (NULs included) — except a line that is a JSON object, which
#   by default is parsed into fields and then has no `_msg`. Push to
#   /insert/loki/api/v1/push?disable_message_parsing=1 (or run with -loki.disableMessageParsing)
#   to keep every line as `_msg`.
# - An entry without `_msg` (an empty line) gets -defaultMsgValue, "missing _msg field; see …" by
#   default; we run with -defaultMsgValue= so an empty line stays empty.
# - Tenants are numeric: X-Scope-OrgID must be "AccountID" or "AccountID:ProjectID" (uint32s),
#   anything else is a 400. Queries pick the tenant with the AccountID / ProjectID headers (0:0 if
#   absent).
# - Entries older than -retentionPeriod (default 7d) or newer than now+-futureRetention (2d) are
#   dropped with only a warning in the log — the sender still gets 204. Real Airflow logs forwarded
#   with their own event time are years old, hence -retentionPeriod=100y (the maximum).
# - Ingested entries sit in memory up to ~1 s before queries see them; GET /internal/force_flush
#   makes them visible at once (meant for tests).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=v1.52.2

vl_bin() {
  if [[ -n "${AIRLOG_VL_BIN:-}" ]]; then
    echo "$AIRLOG_VL_BIN"
    return
  fi
  local bin="$repo/build/tools/bin/victoria-logs"
  if [[ ! -x "$bin" ]]; then
    echo "victoria-logs.sh: building victoria-logs $version (about 40 s)" >&2
    # Modules only, through the Go module proxy; no release download.
    GOBIN="$repo/build/tools/bin" GOFLAGS=-mod=mod \
      go install "github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@$version" >&2
  fi
  echo "$bin"
}

usage() {
  sed -n '4,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

cmd=${1:-install}
case "$cmd" in
install)
  vl_bin
  ;;
start)
  [[ $# -eq 3 ]] || usage
  dir=$2 port=$3
  bin=$(vl_bin)
  mkdir -p "$dir"
  if [[ -f "$dir/pid" ]] && kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
    echo "victoria-logs.sh: already running in $dir (pid $(cat "$dir/pid"))" >&2
    exit 1
  fi
  "$bin" -storageDataPath="$dir/data" -httpListenAddr="127.0.0.1:$port" \
    -retentionPeriod=100y -defaultMsgValue= >>"$dir/vl.log" 2>&1 &
  echo $! >"$dir/pid"
  for _ in $(seq 300); do
    if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
      echo "http://127.0.0.1:$port"
      exit 0
    fi
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  echo "victoria-logs.sh: not healthy on port $port; $dir/vl.log:" >&2
  tail -n 20 "$dir/vl.log" >&2
  exit 1
  ;;
stop)
  [[ $# -eq 2 ]] || usage
  dir=$2
  [[ -f "$dir/pid" ]] || exit 0
  pid=$(cat "$dir/pid")
  if kill -TERM "$pid" 2>/dev/null; then
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid"
    fi
  fi
  rm -f "$dir/pid"
  ;;
flush)
  [[ $# -eq 2 ]] || usage
  curl -fsS "http://127.0.0.1:$2/internal/force_flush"
  ;;
query)
  [[ $# -ge 3 ]] || usage
  port=$2 logsql=$3 tenant=${4:-}
  headers=()
  if [[ -n "$tenant" ]]; then
    headers=(-H "AccountID: ${tenant%%:*}")
    [[ "$tenant" == *:* ]] && headers+=(-H "ProjectID: ${tenant#*:}")
  fi
  curl -fsS "${headers[@]}" "http://127.0.0.1:$port/select/logsql/query" --data-urlencode "query=$logsql"
  ;;
*)
  usage
  ;;
esac
