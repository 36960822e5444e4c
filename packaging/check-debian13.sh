#!/usr/bin/env bash
# The README's test command on Debian 13 (trixie), for real, from a Debian 12 (or any Debian) host:
#   packaging/check-debian13.sh          make (or reuse) a trixie root with debootstrap, bind-mount
#                                        this checkout and a ccache folder into it, run
#                                        `packaging/setup.sh test` there (chroot) and print
#                                        CTest's summary; exits with setup.sh's status
#   packaging/check-debian13.sh --shell  the same root and mounts, an interactive shell instead
#   packaging/check-debian13.sh --run CMD  the same root and mounts, CMD (bash) in the checkout
#                                        instead; exits with its status (check-deb.sh builds the
#                                        Debian 13 packages this way)
# Environment:
#   SCNS_DEBIAN13_DIR     persistent folder (default /var/tmp/scns-debian13): root/ (the trixie
#                         root; its /build holds the build trees), ccache/, last-run.log
#   SCNS_DEBIAN13_MIRROR  Debian mirror for debootstrap (default http://deb.debian.org/debian)
# Needs root (or sudo) for debootstrap, mount and chroot. Idempotent: a finished root is reused
# (setup.sh installs only the packages it lacks; ccache and the build trees make a rebuild
# incremental); an unfinished one is made again. The checkout is mounted at /src/scns and
# builds into the root's /build/scns and /build/scns-fuzz, so the host's ./build is untouched.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
checkout="$(cd "$here/.." && pwd)"
mode="${1:-test}"
case "$mode" in
  test|--shell) ;;
  --run) [ $# -eq 2 ] || { echo "usage: $0 --run 'COMMAND'" >&2; exit 2; } ;;
  *) echo "usage: $0 [--shell | --run 'COMMAND']" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "$0: needs root (debootstrap, mount, chroot) or sudo" >&2; exit 1; }
  exec sudo --preserve-env=SCNS_DEBIAN13_DIR,SCNS_DEBIAN13_MIRROR "$0" "$@"
fi

base="${SCNS_DEBIAN13_DIR:-/var/tmp/scns-debian13}"
mirror="${SCNS_DEBIAN13_MIRROR:-http://deb.debian.org/debian}"
rootfs="$base/root"
ready="$base/.root-ready"   # written once debootstrap has finished
log="$base/last-run.log"
mkdir -p "$base" "$base/ccache"

# One run at a time on a root: the mounts and the build trees are shared.
exec 9>"$base/.lock"
flock -n 9 || { echo "$0: another check is running on $base" >&2; exit 1; }

# --- mounts, undone on any exit ------------------------------------------------------------
source "$here/lib/mounts.sh"

# --- the root ------------------------------------------------------------------------------
if [ ! -e "$ready" ]; then
  command -v debootstrap >/dev/null || {
    echo "== installing debootstrap"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap
  }
  if [ -d "$rootfs" ]; then
    # An unfinished root (interrupted debootstrap): nothing of ours may still be mounted in it.
    for m in $(awk -v r="$rootfs/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do umount -l "$m"; done
    echo "== removing the unfinished root $rootfs"
    rm -rf --one-file-system "$rootfs"
  fi
  echo "== debootstrap trixie into $rootfs ($mirror)"
  start=$(date +%s)
  debootstrap --variant=minbase trixie "$rootfs" "$mirror"
  echo "== debootstrap took $(( $(date +%s) - start )) s"
  touch "$ready"
fi
grep -q '^VERSION_CODENAME=trixie' "$rootfs/etc/os-release" || { echo "$0: $rootfs is not a trixie root" >&2; exit 1; }
cp -L /etc/resolv.conf "$rootfs/etc/resolv.conf" 2>/dev/null || true
# The root shares this machine's network and host name, so its names too: a run of several
# processes under Slurm meets at the node's name (the first host of SLURM_JOB_NODELIST).
cp -L /etc/hosts "$rootfs/etc/hosts" 2>/dev/null || true

mount_once "$rootfs/proc" -t proc proc
mount_once "$rootfs/sys" --rbind /sys
mount --make-rslave "$rootfs/sys"
mount_once "$rootfs/dev" --rbind /dev
mount --make-rslave "$rootfs/dev"
mount_once "$rootfs/src/scns" --bind "$checkout"
mount_once "$rootfs/var/cache/scns-ccache" --bind "$base/ccache"
mkdir -p "$rootfs/build"

env_in=(env -i HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}"
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
        CCACHE_DIR=/var/cache/scns-ccache
        SCNS_BUILD_DIR=/build/scns SCNS_FUZZ_BUILD_DIR=/build/scns-fuzz)

if [ "$mode" = "--shell" ]; then
  chroot "$rootfs" "${env_in[@]}" bash -l -c 'cd /src/scns && exec bash -i' || true
  exit 0
fi
if [ "$mode" = "--run" ]; then
  set +e
  chroot "$rootfs" "${env_in[@]}" bash -c "cd /src/scns && $2"
  rc=$?
  exit $rc
fi

# --- the README's test command ------------------------------------------------------------
echo "== packaging/setup.sh test in $rootfs (Debian 13); full log: $log"
start=$(date +%s)
set +e
chroot "$rootfs" "${env_in[@]}" nice -n 10 bash -c 'cd /src/scns && packaging/setup.sh test' 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
took=$(( $(date +%s) - start ))

echo
echo "== Debian 13 (trixie), $(chroot "$rootfs" dpkg-query -W -f='libtorch-dev ${Version}' libtorch-dev 2>/dev/null || echo 'libtorch-dev not installed'): setup.sh test exited $rc after $((took / 60)) min $((took % 60)) s"
# CTest's summary of the main suite: the last "tests passed" line and what follows it.
summary_line=$(grep -n 'tests passed, .* tests failed out of' "$log" | tail -1 | cut -d: -f1 || true)
if [ -n "$summary_line" ]; then
  tail -n +"$summary_line" "$log" | grep -v '^Errors while running CTest' || true
else
  echo "(no CTest summary: the run stopped before the tests; see $log)"
fi
exit "$rc"
