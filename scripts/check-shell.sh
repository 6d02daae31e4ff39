#!/usr/bin/env bash
# Runs shellcheck on every shell script of the repository (CI runs it; a warning fails the run).
# Installs Debian's shellcheck when it is missing and this runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v shellcheck >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "check-shell: shellcheck is not installed" >&2; exit 1; }
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q shellcheck >/dev/null
fi
mapfile -t scripts < <(git ls-files '*.sh' 'slurm/submit' 'slurm/*.sbatch' 'deploy/augsweep-credentials' '.ci/run')
shellcheck -x "${scripts[@]}"
echo "check-shell: ${#scripts[@]} scripts, no warnings"
