#!/usr/bin/env bash
# Installs the Debian packages airlog builds with. Idempotent; silent when everything is present.
#   bash tools/install-deps.sh           # build and test
#   bash tools/install-deps.sh --bench   # also what `make bench` needs (the chart's matplotlib)
set -euo pipefail
packages=(
  build-essential cmake pkg-config clang-format clang libclang-rt-dev
  libhyperscan-dev libsimdjson-dev libabsl-dev libre2-dev libpcre2-dev libonig-dev
  libgtest-dev libbenchmark-dev pybind11-dev python3-pytest python3-yaml
  libprotobuf-dev protobuf-compiler libsnappy-dev
  golang-go python3-dev python3-numpy python3-pybind11 python3-setuptools python3-pip
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(python3-matplotlib)
fi
# Vectorscan ships the same API and libhs.pc; accept it in place of Hyperscan.
if dpkg-query -W -f='${Status}' libvectorscan-dev 2>/dev/null | grep -q "install ok installed"; then
  packages=("${packages[@]/libhyperscan-dev/libvectorscan-dev}")
fi
# The LogQL and Grafana-kit checks run on Node.js (Grafana's LogQL grammar comes from npm): use the
# node and npm on PATH when there are any, else Debian's.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get install -y -q "${missing[@]}" >/dev/null || {
  $sudo_cmd apt-get update -q >/dev/null
  $sudo_cmd apt-get install -y -q "${missing[@]}" >/dev/null
}
