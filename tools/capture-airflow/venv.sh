#!/bin/bash
# venv.sh VERSION — makes (once) a virtual environment with apache-airflow==VERSION and the pins
# versions.tsv gives it, and prints its directory. Debian's /usr/bin/python3 makes it, so the
# airlog Python module built by CMake for that interpreter imports inside Airflow's processes.
# AIRLOG_AIRFLOW_VENVS sets where venvs live (default build/airflow under the repository); a lock
# per version lets several callers share one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=${1:?usage: venv.sh VERSION}
root=${AIRLOG_AIRFLOW_VENVS:-$here/../../build/airflow}
mkdir -p "$root"
root=$(cd "$root" && pwd)
row=$(awk -F'\t' -v v="$version" '$1 == v' "$here/versions.tsv")
[ -n "$row" ] || { echo "venv.sh: $version is not in versions.tsv" >&2; exit 2; }
pins=$(printf '%s' "$row" | cut -f3)
venv=$root/venv-$version
exec 9>"$root/.lock-$version"
flock 9
if [ ! -f "$venv/.complete" ]; then
  rm -rf "$venv"
  /usr/bin/python3 -m venv "$venv"
  # shellcheck disable=SC2086  # pins is a space-separated requirement list
  "$venv/bin/pip" install -q "apache-airflow==$version" $pins >"$root/install-$version.log" 2>&1 ||
    { echo "venv.sh: pip install failed for $version, see $root/install-$version.log" >&2; exit 1; }
  touch "$venv/.complete"
fi
echo "$venv"
