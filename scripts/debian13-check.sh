#!/usr/bin/env bash
# Builds and tests augsweep on Debian 13 (gcc 14, libtorch 2.6), the libtorch 2.x that GPU
# clusters run, inside a debootstrap chroot of this machine.
#
#   scripts/debian13-check.sh              whole project: build, unit tests, golden tests
#   scripts/debian13-check.sh -- CMD...    run CMD in the chroot instead, in the repository
#                                          (e.g. the GPU script's CPU dry run; see bench/README.md)
#
# The chroot is kept in AUGSWEEP_CHROOT (default /var/cache/augsweep/trixie) and reused when
# present: the first run downloads Debian 13 and its packages (~10 min more), later ones only
# build. The repository is bind-mounted read-only at /augsweep; the build goes to a fresh
# /var/tmp/augsweep-build inside the chroot each run (ccache in the chroot keeps it fast).
# Needs root (debootstrap, chroot, mount) and Debian's package mirror.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CHROOT=${AUGSWEEP_CHROOT:-/var/cache/augsweep/trixie}
SUITE=trixie
JOBS=${JOBS:-$(nproc)}

if [ "$(id -u)" -ne 0 ]; then
  echo "debian13-check: needs root (debootstrap, chroot and bind mounts)" >&2
  exit 1
fi

# The mirror this machine already uses (Debian 12's deb822 file, or a classic sources.list).
mirror() {
  local m=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    m=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
    m=$(awk '$1=="deb"{print $2; exit}' /etc/apt/sources.list)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

# One run at a time per chroot: the mounts and the build folder are shared.
mkdir -p "$(dirname "$CHROOT")"
exec 9>"$CHROOT.lock"
flock 9

setup_start=$(date +%s)
if [ ! -f "$CHROOT/.augsweep-chroot-ready" ]; then
  command -v debootstrap >/dev/null || {
    echo "debian13-check: installing debootstrap" >&2
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
  }
  partial="$CHROOT.partial"
  umount -R "$partial/proc" 2>/dev/null || true
  rm -rf "$partial"
  M=$(mirror)
  echo "debian13-check: creating the Debian 13 chroot in $CHROOT from $M" >&2
  debootstrap --variant=minbase "$SUITE" "$partial" "$M" >&2
  echo "deb $M $SUITE main" > "$partial/etc/apt/sources.list"
  # Packages' maintainer scripts must not start daemons (munge, slurmd) in the chroot.
  printf '#!/bin/sh\nexit 101\n' > "$partial/usr/sbin/policy-rc.d"
  chmod 755 "$partial/usr/sbin/policy-rc.d"
  touch "$partial/.augsweep-chroot-ready"
  rm -rf "$CHROOT"
  mv "$partial" "$CHROOT"
fi

mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" || true
  done
}
trap cleanup EXIT
bind() {  # bind SRC DST [ro]
  mkdir -p "$2"
  mount --bind "$1" "$2"
  mounted+=("$2")
  if [ "${3:-}" = ro ]; then mount -o remount,bind,ro "$2"; fi
}
mkdir -p "$CHROOT/proc"
mount -t proc proc "$CHROOT/proc"
mounted+=("$CHROOT/proc")
bind /dev "$CHROOT/dev"
bind /dev/pts "$CHROOT/dev/pts"
mkdir -p "$CHROOT/dev/shm"
mount -t tmpfs -o mode=1777 shm "$CHROOT/dev/shm"
mounted+=("$CHROOT/dev/shm")
bind "$ROOT" "$CHROOT/augsweep" ro
# The shared folder beside the repository holds the Llama 2 tokenizer some tests read.
if [ -d "$ROOT/../shared" ]; then
  bind "$(cd "$ROOT/../shared" && pwd)" "$CHROOT/shared" ro
fi
cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"

in_chroot() {
  chroot "$CHROOT" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 CCACHE_DIR=/var/cache/ccache JOBS="$JOBS" "$@"
}

in_chroot /augsweep/scripts/install-deps.sh --without-browser
echo "debian13-check: chroot and packages ready in $(( $(date +%s) - setup_start )) s ($CHROOT)" >&2

if [ "${1:-}" = "--" ]; then
  shift
  in_chroot /bin/sh -c 'cd /augsweep && exec "$@"' sh "$@"
  exit $?
fi

start=$(date +%s)
# shellcheck disable=SC2016  # the script runs in the chroot's shell: its $ expand there
in_chroot /bin/bash -euo pipefail -c '
  echo "debian13-check: $(g++ --version | head -n1); libtorch $(dpkg-query -W -f="\${Version}" libtorch-dev)"
  rm -rf /var/tmp/augsweep-build
  cmake -S /augsweep -B /var/tmp/augsweep-build -G Ninja -Wno-dev > /var/tmp/augsweep-configure.log ||
    { cat /var/tmp/augsweep-configure.log; exit 1; }
  cmake --build /var/tmp/augsweep-build -j "$JOBS"
  # Unit tests (the decoder and encoder golden tests among them) and the golden-check command.
  ctest --test-dir /var/tmp/augsweep-build --output-on-failure -j "$JOBS" \
        -L unit
  ctest --test-dir /var/tmp/augsweep-build --output-on-failure -R "^golden_check_test\$"
'
echo "debian13-check: passed in $(( $(date +%s) - start )) s (build and tests)" >&2
