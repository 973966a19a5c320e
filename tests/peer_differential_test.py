#!/usr/bin/env python3
"""The regex peers (the C++ engines and the Python peer) do airlog's work (bench/peers/differential.py
on a small generated sample, and every C++ engine's events are the same), and the differential check
notices when one does not: with --cripple the peer runs a copy of
patterns.json without its event templates, and the check must fail on the fields they fill.

    peer_differential_test.py AIRLOG AIRLOG_PEER SOURCE_DIR [--cripple]
"""
import json
import os
import subprocess
import sys
import tempfile


def main():
    airlog, peer, source = sys.argv[1:4]
    cripple = "--cripple" in sys.argv[4:]
    with tempfile.TemporaryDirectory(prefix="airlog-peer-test-") as tmp:
        full = os.path.join(tmp, "generated.log")
        subprocess.run([sys.executable, os.path.join(source, "corpus", "generate.py"), "--single", full,
                        "--size", "400K", "--seed", "11"], check=True, stdout=subprocess.DEVNULL)
        sample = os.path.join(tmp, "sample.log")
        with open(full, "rb") as f, open(sample, "wb") as out:
            out.writelines(f.readlines()[:2000])
        patterns = os.path.join(source, "bench", "peers", "patterns.json")
        if cripple:
            with open(patterns) as f:
                config = json.load(f)
            config["templates"] = []
            patterns = os.path.join(tmp, "crippled.json")
            with open(patterns, "w") as f:
                json.dump(config, f)
        cmd = [sys.executable, os.path.join(source, "bench", "peers", "differential.py"), "--airlog", airlog]
        for engine in ("re2", "pcre2-jit"):
            cmd += ["--peer", "%s=%s --engine %s --patterns %s" % (engine, peer, engine, patterns)]
        # The Python peer needs no build, so it is checked here too (the Go and Rust ones are not:
        # building them is left to bench/peers/build.sh, outside ctest's time).
        python_peer = os.path.join(source, "bench", "peers", "python_peer.py")
        cmd += ["--peer", "python-re=%s %s --patterns %s" % (sys.executable, python_peer, patterns)]
        p = subprocess.run(cmd + [sample], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(p.stdout)
        if not cripple:
            if p.returncode != 0:
                return p.returncode
            # One configuration, one algorithm: every engine reads the sample into the same events.
            dumps = {}
            for engine in ("re2", "re2-set", "pcre2-jit", "onig", "std-regex"):
                dumps[engine] = subprocess.run([peer, "--engine", engine, "--dump", sample], check=True,
                                               stdout=subprocess.PIPE).stdout
            differ = [e for e, d in dumps.items() if d != dumps["re2"]]
            print("engines whose events differ from re2's: %s" % (", ".join(differ) or "none"))
            return 1 if differ or not dumps["re2"] else 0
        # The crippled peers must be caught, by the fields only templates fill, not by a crash.
        caught = p.returncode == 1 and all("%s: event " % name in p.stdout for name in ("re2", "pcre2-jit", "python-re"))
        print("crippled peers %s" % ("caught" if caught else "NOT caught"))
        return 0 if caught else 1


if __name__ == "__main__":
    sys.exit(main())
