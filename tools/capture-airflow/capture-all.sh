#!/bin/bash
# capture-all.sh [OUT] — `make airflow-corpus`: captures every version in versions.tsv with the
# default text logging and, where the version has it, JSON logging, into OUT (default
# tests/data/airflow). Needs PyPI (venv.sh), Debian's redis-server and PostgreSQL; ~2 min a capture.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../tests/data/airflow}
export AIRLOG_AIRFLOW_VENVS=${AIRLOG_AIRFLOW_VENVS:-$here/../../build/airflow}
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "capture-all.sh: install ${missing[*]} first" >&2; exit 1; }
  apt-get install -y "${missing[@]}"
fi
# capture VERSION VARIANT: once more when a run ended otherwise than its scenario says (exit 2:
# Airflow races now and then); 3 means the version has no such variant.
capture() {
  local rc=0
  /usr/bin/python3 "$here/capture.py" "$1" --variant "$2" --out "$out" || rc=$?
  if [ "$rc" = 2 ]; then
    rc=0
    /usr/bin/python3 "$here/capture.py" "$1" --variant "$2" --out "$out" || rc=$?
  fi
  [ "$rc" = 0 ] || [ "$rc" = 3 ] || { echo "capture-all.sh: $1 $2 failed (exit $rc)" >&2; exit "$rc"; }
}
for version in $(awk -F'\t' '!/^#/ && NF { print $1 }' "$here/versions.tsv"); do
  capture "$version" text
  capture "$version" json
done
