#!/bin/bash
# capture-all.sh [OUT] — `make airflow-corpus`: captures every version in versions.tsv with the
# default text logging and, where the version has it, JSON logging, into OUT (default
# tests/data/airflow). Needs PyPI (venv.sh), Debian's redis-server and PostgreSQL; ~3 min a capture.
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
for version in $(awk -F'\t' '!/^#/ && NF { print $1 }' "$here/versions.tsv"); do
  /usr/bin/python3 "$here/capture.py" "$version" --variant text --out "$out"
  rc=0
  /usr/bin/python3 "$here/capture.py" "$version" --variant json --out "$out" || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 3 ] || exit "$rc"  # 3: the version has no JSON logging
done
