#!/usr/bin/env bash
# update_golden.sh — regenerates corpus/golden/<name>.jsonl from corpus/golden/<name>.log with the
# airlog CLI. A <name>.path file holds the path the log is parsed under (a task-log template path,
# a daemon file name …): the log is copied there inside a scratch directory and parsed by that
# relative path, exactly as tests/golden_test.cpp passes it to Stream::create. Without a .path
# file the log is parsed as corpus/golden/<name>.log from the repository root.
#
#   tools/update_golden.sh [path/to/airlog] [name …]
#
# The binary defaults to $AIRLOG, else build/release/airlog. READ every regenerated line before
# committing it: a golden file states what the output must be, not what it happens to be.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
golden="$root/corpus/golden"
airlog="${AIRLOG:-$root/build/release/airlog}"
if [[ $# -gt 0 && -x "$1" && ! -d "$1" ]]; then airlog="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; shift; fi
[[ -x "$airlog" ]] || { echo "update_golden.sh: no airlog binary at $airlog (build it, or pass its path)" >&2; exit 2; }

names=("$@")
if [[ ${#names[@]} -eq 0 ]]; then
  for log in "$golden"/*.log; do names+=("$(basename "$log" .log)"); done
fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

for name in "${names[@]}"; do
  log="$golden/$name.log"
  [[ -f "$log" ]] || { echo "update_golden.sh: no $log" >&2; exit 2; }
  if [[ -f "$golden/$name.path" ]]; then
    pretend="$(head -n 1 "$golden/$name.path")"
    dir="$scratch/$name"
    mkdir -p "$dir/$(dirname "$pretend")"
    cp "$log" "$dir/$pretend"
    (cd "$dir" && "$airlog" parse "$pretend") > "$golden/$name.jsonl"
  else
    (cd "$root" && "$airlog" parse "corpus/golden/$name.log") > "$golden/$name.jsonl"
  fi
  echo "$name: $(wc -l < "$golden/$name.jsonl") events"
done
