#!/usr/bin/python3
"""table.py [DIR] — the per-capture table of tests/data/airflow/README.md, from what is there."""

import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                          "..", "..", "tests", "data", "airflow")


def key(version):
    return tuple(int(x) for x in version.split("."))


print("| version | variant | components | task tries | DAG runs | import errors | .log lines "
      "(components / logs/) | size | trimmed lines |")
print("|---|---|---|---|---|---|---|---|---|")
for version in sorted((v for v in os.listdir(root) if v[0].isdigit()), key=key):
    for variant in ("text", "json"):
        d = os.path.join(root, version, variant)
        if not os.path.isdir(d):
            continue
        oracle = json.load(open(os.path.join(d, "oracle.json"), encoding="utf-8"))
        lines = {"components": 0, "logs": 0}
        size = 0
        for base, _dirs, files in os.walk(d):
            for name in files:
                path = os.path.join(base, name)
                size += os.path.getsize(path)
                top = os.path.relpath(path, d).split(os.sep)[0]
                if top in lines:
                    with open(path, "rb") as f:
                        lines[top] += sum(1 for _ in f)
        print(f"| {version} | {variant} | {', '.join(oracle['components'])} | {len(oracle['task_tries'])} | "
              f"{len(oracle['dag_runs'])} | {len(oracle['import_errors'])} | "
              f"{lines['components']} / {lines['logs']} | {size / 1024:.0f} KiB | "
              f"{sum(oracle['trimmed'].values())} |")
