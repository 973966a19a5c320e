#!/usr/bin/env bash
# bench/peers/build.sh BUILD_DIR — builds the Go and Rust peers of the benchmark suite:
#   BUILD_DIR/bench/peer-go-regexp    (bench/peers/go, standard library only)
#   BUILD_DIR/bench/peer-rust-regex   (bench/peers/rust: regex + serde_json, Cargo.lock as committed)
# Both read bench/peers/patterns.json from this source tree unless given --patterns FILE.
# Offline-safe once the crates are in cargo's cache: cargo --locked, GOFLAGS=-mod=mod; caches and
# Cargo's target directory live under BUILD_DIR. A missing toolchain is an error that says so.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: bench/peers/build.sh BUILD_DIR" >&2; exit 2; }
peers=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1/bench"
build=$(cd "$1" && pwd)

PATH=$PATH:/usr/local/go/bin:${CARGO_HOME:-${HOME:-/root}/.cargo}/bin
command -v go >/dev/null || { echo "build.sh: no Go toolchain (go) on PATH: install Go 1.18 or later" >&2; exit 1; }
command -v cargo >/dev/null || { echo "build.sh: no Rust toolchain (cargo) on PATH: install it with rustup" >&2; exit 1; }

(cd "$peers/go" &&
  GOFLAGS="-mod=mod -buildvcs=false" GOCACHE="${GOCACHE:-$build/go/cache}" GOPATH="${GOPATH:-$build/go/path}" \
    CGO_ENABLED=0 go build -trimpath -ldflags "-X 'main.defaultPatterns=$peers/patterns.json'" \
    -o "$build/bench/peer-go-regexp" .)
echo "built $build/bench/peer-go-regexp ($(go version | cut -d' ' -f3))"

CARGO_TARGET_DIR="$build/rust-peer" cargo build --release --locked --quiet --manifest-path "$peers/rust/Cargo.toml"
cp "$build/rust-peer/release/peer-rust-regex" "$build/bench/peer-rust-regex"
echo "built $build/bench/peer-rust-regex ($(cargo --version | cut -d' ' -f1-2))"
