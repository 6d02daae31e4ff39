#!/usr/bin/env bash
# Fails when a C++ file of the repository differs from what clang-format makes of it with the
# repository's .clang-format (CI runs it). `scripts/check-format.sh --fix` formats them in place.
# Installs Debian's clang-format when it is missing and this runs as root.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "check-format: clang-format is not installed (apt-get install clang-format)" >&2; exit 1; }
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang-format >/dev/null
fi
# Tracked files and new ones not yet added (a clean clone has only the former).
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.h' '*.cc')
if [ "${1:-}" = --fix ]; then
  clang-format -i "${files[@]}"
  echo "check-format: formatted ${#files[@]} files"
  exit 0
fi
if ! clang-format --dry-run --Werror "${files[@]}"; then
  echo "check-format: the files above are not formatted; run scripts/check-format.sh --fix" >&2
  exit 1
fi
echo "check-format: ${#files[@]} C++ files formatted"
