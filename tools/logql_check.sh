#!/usr/bin/env bash
# Every LogQL query the repository ships (```logql blocks in *.md, *.logql files) must parse with
# Grafana's LogQL grammar, @grafana/lezer-logql (installed from the npm registry into
# build/tools/logql on first use). Exit 77 (skipped) when Node.js or npm is missing.
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
exec node "$repo/tools/logql_check.mjs" "$dir" "$repo"
