# airlog — the two set-up commands: `make demo` and `make test`. Both install missing Debian
# packages first (tools/install-deps.sh), then build with CMake.
JOBS ?= $(shell nproc)
PYTHON ?= /usr/bin/python3
BUILD := build/release
ASAN_BUILD := build/asan
FUZZ_BUILD := build/fuzz
TSAN_BUILD := build/tsan
# Seconds each fuzz target runs in `make fuzz` / `make test` (libFuzzer and Go targets alike).
FUZZ_SECONDS ?= 20
export FUZZ_SECONDS
# The fuzz and ThreadSanitizer builds use clang (libFuzzer ships with it).
CLANG_CC ?= clang
CLANG_CXX ?= clang++
DEMO_CORPUS := build/corpus/demo

.PHONY: all deps build build-asan build-fuzz build-tsan demo test test-release test-asan test-tsan test-fuzz fuzz test-airflow bench corpus airflow-corpus hostile-memory serve-outage format clean

all: build

deps:
	@bash tools/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

$(ASAN_BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIRLOG_SANITIZE=ON -DAIRLOG_BUILD_BENCH=OFF >/dev/null

build-asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j$(JOBS)

$(DEMO_CORPUS)/manifest.json:
	$(PYTHON) corpus/generate.py --out $(DEMO_CORPUS) --size 64M --seed 42

corpus: $(DEMO_CORPUS)/manifest.json

# Runs airlog over the generated corpus (64 MB, every component and layout) and prints a summary.
demo: build corpus
	$(BUILD)/airlog summary $(DEMO_CORPUS)/airflow-*

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan: build-asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j$(JOBS)

# The libFuzzer targets of tests/fuzz, with ASan + UBSan (clang; nothing else is built there).
$(FUZZ_BUILD)/CMakeCache.txt: | deps
	CC=$(CLANG_CC) CXX=$(CLANG_CXX) cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIRLOG_FUZZ=ON \
	  -DAIRLOG_SANITIZE=ON -DAIRLOG_BUILD_TESTS=OFF -DAIRLOG_BUILD_BENCH=OFF -DAIRLOG_BUILD_CLI=OFF \
	  -DAIRLOG_BUILD_PYTHON=OFF >/dev/null

build-fuzz: deps $(FUZZ_BUILD)/CMakeCache.txt
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target airlog_fuzz

# Every fuzz target for FUZZ_SECONDS (`make fuzz FUZZ_SECONDS=600` for a long run): the libFuzzer
# ones, every committed seed and crash reproducer replayed, then the Go ones of airlog serve's
# request decoding. A failure names its reproducer (tests/fuzz/README.md).
fuzz: build build-fuzz
	cd $(FUZZ_BUILD) && FUZZ_SECONDS=$(FUZZ_SECONDS) ctest -L fuzz --output-on-failure -j$(JOBS) --timeout $$(( $(FUZZ_SECONDS) + 600 ))
	cd $(BUILD) && FUZZ_SECONDS=$(FUZZ_SECONDS) ctest -R ServeGoFuzz --output-on-failure --timeout $$(( 10 * $(FUZZ_SECONDS) + 600 ))

# The short fuzz runs of `make test`; the Go ones already ran in test-release.
test-fuzz: build-fuzz
	cd $(FUZZ_BUILD) && FUZZ_SECONDS=$(FUZZ_SECONDS) ctest -L fuzz --output-on-failure -j$(JOBS)

# tests/threads_test.cpp with the library and the C API under ThreadSanitizer (clang).
$(TSAN_BUILD)/CMakeCache.txt: | deps
	CC=$(CLANG_CC) CXX=$(CLANG_CXX) cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIRLOG_TSAN=ON \
	  -DAIRLOG_BUILD_TESTS=OFF -DAIRLOG_BUILD_BENCH=OFF -DAIRLOG_BUILD_CLI=OFF -DAIRLOG_BUILD_PYTHON=OFF >/dev/null

build-tsan: deps $(TSAN_BUILD)/CMakeCache.txt
	cmake --build $(TSAN_BUILD) -j$(JOBS) --target airlog_threads_test

test-tsan: build-tsan
	cd $(TSAN_BUILD) && ctest --output-on-failure

# Every test, in the Release build and again under AddressSanitizer + UndefinedBehaviorSanitizer,
# the thread test under ThreadSanitizer, and each fuzz target for FUZZ_SECONDS.
test: test-release test-asan test-tsan test-fuzz

# airlog.logging inside real Airflow (2.10.5 and 3.x, one venv each from
# tools/capture-airflow/venv.sh, shared through AIRLOG_AIRFLOW_VENVS): configured as docs/python.md
# says, a scheduler runs tests/airflow/dags/, then the task logs and daemon output are checked.
# Needs a package index for the venvs (prints SKIPPED without one); not part of `make test`.
# AIRLOG_AIRFLOW_VERSIONS=2.10.5,3.3.2 picks versions.
test-airflow: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS) --target airlog_python airlog_cli
	$(PYTHON) tests/airflow/test_logging_integration.py --build $(BUILD)

# airlog beside PCRE2-JIT, Oniguruma, std::regex, RE2, Go regexp, Rust regex and Python re on seven
# corpora (bench/run.sh): writes BENCHMARKS.md and docs/benchmarks.png. ~10 min; a quiet machine.
bench: deps
	bash bench/run.sh

# Peak memory of `airlog parse` on 1 GiB of each hostile input shape (tests/hostile_memory.py;
# `make test` runs 64 MiB of each). About a minute a shape; nothing is written to disk.
hostile-memory: build
	$(PYTHON) tests/hostile_memory.py $(BUILD)/airlog $(BUILD)/tests/airlog_peak_rss --size 1G --max-rss-mb 80

# airlog serve with its store answering 500 for OUTAGE (default 5m; `make test` runs 20 s):
# memory and --buffer-dir stay bounded, senders get 429, every line arrives once.
OUTAGE ?= 5m
serve-outage: build
	cd tools/serve && CGO_ENABLED=1 CGO_CFLAGS=-I$(CURDIR)/include \
	  CGO_LDFLAGS="-L$(CURDIR)/$(BUILD) -Wl,-rpath,$(CURDIR)/$(BUILD)" GOFLAGS="-mod=mod -buildvcs=false" \
	  AIRLOG_VL_BIN=$(CURDIR)/build/tools/bin/victoria-logs AIRLOG_SERVE_BIN=$(CURDIR)/$(BUILD)/airlog-serve \
	  AIRLOG_CLI_BIN=$(CURDIR)/$(BUILD)/airlog AIRLOG_SOURCE_DIR=$(CURDIR) AIRLOG_E2E_OUTAGE=$(OUTAGE) \
	  go test -count=1 -v -timeout 0 -run TestStoreFailingForLong ./e2e/

# Re-captures tests/data/airflow from real Airflow runs: every version in
# tools/capture-airflow/versions.tsv, text and (where the version has it) JSON logging. Needs PyPI,
# redis-server and PostgreSQL; ~2 min a capture. Not part of `make test`, which reads the committed set.
airflow-corpus:
	AIRLOG_AIRFLOW_VENVS=$${AIRLOG_AIRFLOW_VENVS:-build/airflow} bash tools/capture-airflow/capture-all.sh

# Applies .clang-format to every C and C++ file (the FormatCheck test checks it).
format: deps
	bash tools/format.sh

clean:
	rm -rf build
