#!/usr/bin/env bash
# examples/c/tail.c end to end: over every golden log, `airlog-tail --json` must print exactly the
# golden JSON lines — read in one chunk, and again 7 bytes at a time with a 1-event array (so the
# "buffer too small" protocol runs on nearly every call) — and its summary must count the events.
set -euo pipefail
tail_bin=$1
source_dir=$2
golden="$source_dir/corpus/golden"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checked=0
for log in "$golden"/*.log; do
  name=$(basename "$log" .log)
  src="corpus/golden/$name.log"
  [ -f "$golden/$name.path" ] && src=$(head -n1 "$golden/$name.path")
  "$tail_bin" --json --path "$src" "$log" > "$work/whole.jsonl"
  cmp "$work/whole.jsonl" "$golden/$name.jsonl" || { echo "$name: whole-file output differs from golden" >&2; diff "$work/whole.jsonl" "$golden/$name.jsonl" | head >&2; exit 1; }
  "$tail_bin" --json --path "$src" --chunk 7 --events 1 < "$log" > "$work/chunked.jsonl"
  cmp "$work/chunked.jsonl" "$golden/$name.jsonl" || { echo "$name: chunked output differs from golden" >&2; exit 1; }
  "$tail_bin" --path "$src" "$log" > "$work/summary.txt"
  want=$(grep -c . "$golden/$name.jsonl")
  grep -qx "events $want" "$work/summary.txt" || { echo "$name: summary does not count $want events:" >&2; cat "$work/summary.txt" >&2; exit 1; }
  checked=$((checked + 1))
done
[ "$checked" -gt 0 ] || { echo "no golden logs found in $golden" >&2; exit 1; }
# A missing file is an error, not an empty result.
if "$tail_bin" "$work/does-not-exist.log" 2>/dev/null; then echo "missing file accepted" >&2; exit 1; fi
echo "airlog-tail matched $checked golden logs (whole, 7-byte chunks, summary)"
