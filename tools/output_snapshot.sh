#!/usr/bin/env bash
# tools/output_snapshot.sh — runs an airlog CLI over every input we have (the golden layouts, a
# generated corpus, ../shared/real-logs when present) in every output format, and prints one
# "sha256  input format" line per run. Two snapshots taken before and after a refactoring must be
# identical: `diff <(tools/output_snapshot.sh old/airlog) <(tools/output_snapshot.sh new/airlog)`.
#
#   tools/output_snapshot.sh build/release/airlog > /tmp/after.txt
#
# Environment: SNAPSHOT_CORPUS (default build/corpus/snapshot-16M.log, generated when missing),
# PYTHON (default /usr/bin/python3), SNAPSHOT_KEEP=DIR keeps every output under DIR for diffing.
set -euo pipefail
cli=$(realpath "$1")
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
corpus=${SNAPSHOT_CORPUS:-build/corpus/snapshot-16M.log}
if [ ! -s "$corpus" ]; then
  mkdir -p "$(dirname "$corpus")"
  "$PYTHON" corpus/generate.py --single "$corpus" --size 16M --seed 11 >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The corpus again in CRI and Docker json-file envelopes (every 7th CRI line split in two pieces).
wrapped=${corpus%.log}
if [ ! -s "$wrapped.cri" ] || [ ! -s "$wrapped.docker" ]; then
  "$PYTHON" - "$corpus" "$wrapped" <<'PY'
import json, sys
src, dst = sys.argv[1], sys.argv[2]
with open(src, "rb") as f, open(dst + ".cri", "wb") as cri, open(dst + ".docker", "wb") as dock:
    for i, raw in enumerate(f):
        line = raw.rstrip(b"\n")
        ts = "2024-05-01T12:00:%02d.%09dZ" % (i % 60, i)
        chan = b"stderr" if i % 1000 == 999 else b"stdout"
        if i % 7 == 3 and len(line) > 10:
            cri.write(ts.encode() + b" " + chan + b" P " + line[:10] + b"\n")
            cri.write(ts.encode() + b" " + chan + b" F " + line[10:] + b"\n")
        else:
            cri.write(ts.encode() + b" " + chan + b" F " + line + b"\n")
        rec = {"log": line.decode("utf-8", "surrogateescape") + "\n", "stream": chan.decode(), "time": ts}
        dock.write(json.dumps(rec, ensure_ascii=True).encode("utf-8", "surrogateescape") + b"\n")
PY
fi
inputs=(corpus/golden "$corpus" "$wrapped.cri" "$wrapped.docker")
[ -d ../shared/real-logs ] && inputs+=(../shared/real-logs)
# Formats whose output is a pure function of the input (loki/otlp stamp `now` only on events
# without any time; --now is not a CLI option, so those bodies are compared with it masked).
formats=("jsonl" "jsonl --dedup" "logfmt" "loki-json" "otlp-json" "jsonl --tz Europe/Berlin" "jsonl --max-event-lines 5 --max-event-bytes 2000")
for input in "${inputs[@]}"; do
  for f in "${formats[@]}"; do
    read -r fmt extra <<<"$f"
    # shellcheck disable=SC2086
    "$cli" parse --output "$fmt" $extra "$input" >"$work/out" 2>"$work/err" || echo "exit $?" >>"$work/err"
    # The clock stamps timeless events in loki/otlp bodies: mask times from the last day.
    if [ "$fmt" = loki-json ] || [ "$fmt" = otlp-json ]; then
      "$PYTHON" -c '
import re, sys, time
lo, hi = (time.time() - 86400) * 1e9, (time.time() + 3600) * 1e9
p = sys.argv[1]
t = open(p, "rb").read()
t = re.sub(rb"\"(\d{19})\"", lambda m: b"\"NOW\"" if lo <= int(m.group(1)) <= hi else m.group(0), t)
open(p, "wb").write(t)' "$work/out"
    fi
    sum=$(cat "$work/out" "$work/err" | sha256sum | cut -c1-16)
    echo "$sum  $input  $f"
    if [ -n "${SNAPSHOT_KEEP:-}" ]; then
      mkdir -p "$SNAPSHOT_KEEP"
      cp "$work/out" "$SNAPSHOT_KEEP/$(echo "$input $f" | tr ' /' '__').out"
    fi
  done
done
