"""Event.to_dict() is the JSON contract line: equal to json.loads of airlog's own writer output
(Event.to_json, append_json) and of `airlog parse FILE` for the same file, on every file of the
generated corpus and of the real logs."""

import json
import subprocess

import airlog
from conftest import lines_invariant


def check_file(path, cli=None):
    parser = airlog.Parser()
    events = list(parser.parse_file(path))
    dicts = [e.to_dict() for e in events]
    assert dicts == [json.loads(e.to_json()) for e in events], path
    lines_invariant(parser.stats)
    if cli:
        out = subprocess.run([cli, "parse", str(path)], check=True, capture_output=True).stdout
        assert dicts == [json.loads(line) for line in out.splitlines()], path
    return events


def attribute_dict(e):
    """The attributes, as the contract would hold them (None and False left out)."""
    keys = [k for k in e.to_dict()] + ["logical_date", "attrs", "truncated", "map_index", "stream"]
    values = {k: getattr(e, k) for k in keys}
    return {k: v for k, v in values.items() if v is not None and v is not False}


def test_corpus_to_dict_equals_contract_line(corpus_files):
    total = 0
    formats = set()
    for path in corpus_files:
        events = check_file(path)
        total += len(events)
        formats.update(e.format for e in events)
        for e in events:
            assert attribute_dict(e) == e.to_dict()
    assert total > 5000
    assert {"airflow-text", "airflow-json", "airflow-console", "celery", "uvicorn-access"} <= formats


def test_corpus_equals_cli_output(corpus_files, cli):
    for path in corpus_files:
        check_file(path, cli)


def test_real_logs_equal_cli_output(real_log_files, cli):
    for path in real_log_files:
        check_file(path, cli)


def test_real_logs_to_dict_equals_contract_line(real_log_files):
    assert sum(len(check_file(path)) for path in real_log_files) > 1000


def schema_keys(root):
    """The keys of docs/schema.md's "Event keys" tables, in contract order."""
    text = (root / "docs" / "schema.md").read_text()
    section = text[text.index("## Event keys"):]
    section = section[:section.index("\n## ", 1)]
    keys = []
    for line in section.splitlines():
        if line.startswith("| `"):
            keys += [k for i, k in enumerate(line.split("|")[1].split("`")) if i % 2 == 1]
    return keys


def test_field_lists_are_the_contract_keys(root):
    """The Python field list (columns, Event attributes) comes from the C++ field table."""
    keys = schema_keys(root)
    assert len(keys) > 30
    columns = airlog.Parser().parse_columns(b"[2024-01-01T00:00:00.000+0000] {a.py:1} INFO - x\n")
    assert list(columns) == keys + ["logical_date_ns"]
    event = next(iter(airlog.Parser().parse(b"x\n")))
    for key in keys + ["logical_date_ns"]:
        getattr(event, key)
