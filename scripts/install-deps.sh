#!/usr/bin/env bash
# Installs every Debian 12 package augsweep needs to build, test and run.
# Safe to run again: apt skips what is already there. As non-root it prints the command instead.
# usage: install-deps.sh [--without-browser]
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build ccache lld pkg-config git
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev librocksdb-dev
  libtorch-dev libopenblas0-openmp
  libgtest-dev libgmock-dev
  libyaml-cpp-dev libre2-dev nlohmann-json3-dev
  wordnet-base
  # tests/slurm starts a private single-node Slurm from these (slurm/ scripts run on real clusters)
  slurmctld slurmd slurm-client munge
)
# tests/integration/report_test.sh renders the HTML report in headless Chromium; --without-browser
# leaves it out (scripts/debian13-check.sh, which runs the unit tests only).
if [ "${1:-}" != "--without-browser" ]; then
  PACKAGES+=(chromium fonts-dejavu-core)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "augsweep needs these Debian packages; run as root:" >&2
  echo "  $cmd" >&2
  exit 1
fi
echo "installing: ${missing[*]}" >&2
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
