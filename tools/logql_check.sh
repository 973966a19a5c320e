#!/usr/bin/env bash
# The LogQL and Grafana kit checks, on Node.js with Grafana's LogQL grammar, @grafana/lezer-logql
# (installed from the npm registry into build/tools/logql on first use). Exit 77 (skipped) when
# Node.js or npm is missing.
#
#   logql_check.sh                          every LogQL query the repository ships parses
#                                           (```logql blocks, *.logql, dashboard targets, rule exprs)
#   logql_check.sh kit AIRLOG static|real   tools/grafana_kit_check.mjs on the repository's kit
#   logql_check.sh fixtures AIRLOG          the kit checker accepts tests/kit/good and rejects every
#                                           tests/kit/bad-* (PART: which part; EXPECT: the message)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=0.3.0
dir="$repo/build/tools/logql"
command -v node >/dev/null && command -v npm >/dev/null || { echo "logql_check: node/npm missing" >&2; exit 77; }
if [[ ! -f "$dir/node_modules/@grafana/lezer-logql/package.json" ]] ||
   ! grep -q "\"version\": \"$version\"" "$dir/node_modules/@grafana/lezer-logql/package.json"; then
  mkdir -p "$dir"
  [[ -f "$dir/package.json" ]] || echo '{"private": true}' >"$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --silent "@grafana/lezer-logql@$version" >&2)
fi
# The rules file is YAML, read through python3-yaml (tools/install-deps.sh).
/usr/bin/python3 -c 'import yaml' 2>/dev/null || { echo "logql_check: python3-yaml missing (tools/install-deps.sh)" >&2; exit 77; }

kit() { node "$repo/tools/grafana_kit_check.mjs" --modules "$dir" --cli "$1" --part "$2" --kit "$3"; }

case "${1:-}" in
  "") exec node "$repo/tools/logql_check.mjs" "$dir" "$repo" ;;
  kit) exec node "$repo/tools/grafana_kit_check.mjs" --modules "$dir" --cli "$2" --part "$3" --kit "${4:-$repo}" ;;
  fixtures)
    cli=$2 failed=0 real=1
    ls "$repo/../shared/real-logs"/*.log >/dev/null 2>&1 || real=0
    for part in static real; do
      if [[ $part == real && $real == 0 ]]; then echo "fixtures: real logs absent, tests/kit/good real part skipped"; continue; fi
      kit "$cli" "$part" "$repo/tests/kit/good" >/dev/null || { echo "fixtures: tests/kit/good rejected by the $part part" >&2; failed=1; }
    done
    for bad in "$repo"/tests/kit/bad-*/; do
      name=$(basename "$bad") part=$(cat "$bad/PART") expect=$(cat "$bad/EXPECT")
      if [[ $part == real && $real == 0 ]]; then echo "fixtures: $name skipped (real logs absent)"; continue; fi
      set +e; out=$(kit "$cli" "$part" "$bad" 2>&1); rc=$?; set -e
      if [[ $rc != 1 ]]; then echo "fixtures: $name: exit $rc, expected 1" >&2; echo "$out" >&2; failed=1
      elif [[ $out != *"$expect"* ]]; then echo "fixtures: $name rejected, but not with: $expect" >&2; echo "$out" >&2; failed=1
      else echo "fixtures: $name rejected: $(grep -F -m1 -- "$expect" <<<"$out")"; fi
    done
    exit $failed ;;
  *) echo "usage: logql_check.sh [kit AIRLOG static|real [KIT] | fixtures AIRLOG]" >&2; exit 2 ;;
esac
