#!/usr/bin/env python3
"""Writes the seed corpora tests/fuzz/corpus/<target>/ from the golden logs of corpus/golden (and
nothing else): a few KB each, in each target's input layout (the comment at the top of
<target>.cpp). Re-run after adding a golden file or changing a layout:
    python3 tests/fuzz/make_seeds.py
"""
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "corpus" / "golden"
OUT = ROOT / "tests" / "fuzz" / "corpus"
MAX_BYTES = 3000


def head(path, limit=MAX_BYTES):
    """The first lines of a golden log, whole lines, at most `limit` bytes."""
    data = path.read_bytes()
    if len(data) <= limit:
        return data
    cut = data.rfind(b"\n", 0, limit)
    return data[: cut + 1] if cut > 0 else data[:limit]


def records(text, kind_of):
    """Lines as (kind, length, bytes) records (length < 96: what the generators read)."""
    out = bytearray()
    for i, line in enumerate(text.split(b"\n")):
        if not line:
            continue
        line = line[:95]
        out += bytes([kind_of(i) & 0xFF, len(line)]) + line
    return bytes(out)


def c_api_ops(text, mode):
    """fuzz_c_api: mode byte, no option settings, then data ops (capacities vary), take, stats."""
    out = bytearray([mode])
    pos, i = 0, 0
    while pos < len(text):
        piece = text[pos : pos + 200]
        pos += len(piece)
        op = (i % 3) | ((i % 4) << 3) | ((i % 8) << 5)  # data, events 0..3, text 0..147
        out += bytes([op, len(piece)]) + piece
        if i % 5 == 4:
            out += bytes([4 | (3 << 3) | (7 << 5)])  # take
        if i % 7 == 6:
            out += bytes([5])  # stats JSON into 16 bytes
        i += 1
    return bytes(out)


def main():
    logs = sorted(GOLDEN.glob("*.log"))
    targets = {
        "fuzz_stream": lambda i, t: bytes([(0x81, 0x01, 0x95, 0xE1, 0x05, 0x80)[i % 6], (i * 37) & 0xFF, i]) + t,
        "fuzz_line": lambda i, t: bytes([i & 7]) + t,
        "fuzz_json_lines": lambda i, t: bytes([(i * 9) & 0x7F]) + records(t, lambda k: (k * 41) % 256),
        "fuzz_envelope": lambda i, t: bytes([(0x02, 0x03, 0x00, 0x05, 0x06)[i % 5] | ((i & 3) << 3)])
        + records(t, lambda k: (k * 13) % 256),
        "fuzz_c_api": lambda i, t: c_api_ops(t, i & 1),
        "fuzz_writers": lambda i, t: bytes([(i * 29) & 0xFF, (i * 53) & 0xFF]) + t,
    }
    for target, make in targets.items():
        d = OUT / target
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        for i, log in enumerate(logs):
            (d / log.stem).write_bytes(make(i, head(log)))
    print(f"wrote seeds for {len(targets)} targets from {len(logs)} golden logs into {OUT}")


if __name__ == "__main__":
    main()
