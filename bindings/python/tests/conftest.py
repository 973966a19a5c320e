"""Shared fixtures: the repository root, a small generated corpus, the real logs, the CLI."""

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(os.environ.get("AIRLOG_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[3]))
REAL_LOGS = (ROOT / ".." / "shared" / "real-logs").resolve()


@pytest.fixture(scope="session")
def root() -> pathlib.Path:
    return ROOT


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> pathlib.Path:
    """A 2 MB generated corpus tree (every component and layout of corpus/generate.py)."""
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, str(ROOT / "corpus" / "generate.py"), "--out", str(out), "--size", "2M",
                    "--seed", "1"], check=True, stdout=subprocess.DEVNULL)
    return out


@pytest.fixture(scope="session")
def corpus_files(corpus_dir) -> list:
    files = sorted(p for p in corpus_dir.rglob("*") if p.is_file() and p.name != "manifest.json")
    assert len(files) > 50
    return files


@pytest.fixture(scope="session")
def real_log_files() -> list:
    if not REAL_LOGS.is_dir():
        pytest.skip(f"no real logs at {REAL_LOGS}")
    files = sorted(p for p in REAL_LOGS.rglob("*") if p.is_file() and p.suffix in (".log", ".txt", ".jsonl", ".json"))
    if not files:
        pytest.skip(f"no real logs at {REAL_LOGS}")
    return files


@pytest.fixture(scope="session")
def cli() -> str:
    path = os.environ.get("AIRLOG_CLI")
    if not path or not os.access(path, os.X_OK):
        pytest.skip("AIRLOG_CLI (the airlog executable) not given")
    return path


def lines_invariant(stats: dict) -> None:
    assert stats["lines_in"] == stats["events_out"] + stats["lines_folded"] + stats["duplicates_dropped"]
    assert stats["lines_in"] == stats["events_out_lines"] + stats["duplicates_dropped"]
