#!/usr/bin/env bash
# The .deb packages, tested for real on Debian 12 and Debian 13:
#   packaging/check-deb.sh [bookworm|trixie|all]     (default: all)
# For each release it
#   1. builds the packages for that release with packaging/build-deb.sh: Debian 12's here (the
#      host must be Debian 12), Debian 13's in the trixie root of packaging/check-debian13.sh;
#   2. runs lintian on them (that release's lintian) and fails on any error (E:);
#   3. makes a fresh minimal root of the release with debootstrap, installs the packages there
#      with `apt-get install --no-install-recommends ./*.deb` (so Depends alone must suffice) and
#      checks that no -dev package came with them;
#   4. runs, inside that root, `scns train --epochs 1 --train-per-class 100` on the embedded
#      Fashion-MNIST, `scns-workbench --screenshots DIR` (offscreen), the man pages' presence and
#      the bash completion; the screenshots are copied to $SCNS_DEB_CHECK_DIR/RELEASE-screenshots.
# Environment:
#   SCNS_DEB_CHECK_DIR    working folder (default /var/tmp/scns-deb-check): the install roots
#                         (made afresh each run), debootstrap's package cache, logs, screenshots
#   SCNS_DEBIAN13_DIR, SCNS_DEBIAN13_MIRROR  as for check-debian13.sh
# Needs root (or sudo): debootstrap, mount, chroot. Exits non-zero when any step fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
checkout="$(cd "$here/.." && pwd)"
which="${1:-all}"
case "$which" in bookworm|trixie) releases=("$which") ;; all) releases=(bookworm trixie) ;;
  *) echo "usage: $0 [bookworm|trixie|all]" >&2; exit 2 ;; esac

if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "$0: needs root (debootstrap, mount, chroot) or sudo" >&2; exit 1; }
  exec sudo --preserve-env=SCNS_DEB_CHECK_DIR,SCNS_DEBIAN13_DIR,SCNS_DEBIAN13_MIRROR,SCNS_BUILD_DIR "$0" "$@"
fi

work="${SCNS_DEB_CHECK_DIR:-/var/tmp/scns-deb-check}"
mirror="${SCNS_DEBIAN13_MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$work/cache"
for tool in debootstrap lintian; do
  command -v "$tool" >/dev/null || {
    echo "== installing $tool"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$tool"
  }
done

source "$here/lib/mounts.sh"

failures=()
fail() { echo "== FAILED ($1): $2" >&2; failures+=("$1: $2"); }

build_packages() {  # build_packages RELEASE -> prints the folder holding its .debs
  local rel="$1"
  case "$rel" in
    bookworm)
      grep -q '^VERSION_CODENAME=bookworm' /etc/os-release || {
        echo "$0: Debian 12 packages are built on a Debian 12 host; this is $(. /etc/os-release; echo "$PRETTY_NAME")" >&2
        return 1; }
      "$here/build-deb.sh" >&2 || return 1
      echo "${SCNS_BUILD_DIR:-$checkout/build}/deb" ;;
    trixie)
      "$here/check-debian13.sh" --run 'SCNS_BUILD_DIR=/build/scns packaging/build-deb.sh' >&2 || return 1
      echo "${SCNS_DEBIAN13_DIR:-/var/tmp/scns-debian13}/root/build/scns/deb" ;;
  esac
}

run_lintian() {  # run_lintian RELEASE DEBDIR: that release's lintian; errors fail the check
  local rel="$1" debs="$2" out="$work/$1-lintian.txt"
  if [ "$rel" = trixie ]; then
    "$here/check-debian13.sh" --run \
      'command -v lintian >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends lintian >/dev/null; lintian --info --display-info /build/scns/deb/*.deb' \
      >"$out" 2>&1 || true
  else
    lintian --info --display-info "$debs"/*.deb >"$out" 2>&1 || true
  fi
  echo "== lintian ($rel): $(grep -c '^E:' "$out" || true) errors, $(grep -c '^W:' "$out" || true) warnings; $out"
  grep -E '^(E|W):' "$out" || true
  if grep -q '^E:' "$out"; then fail "$rel" "lintian reports errors (see $out)"; fi
}

install_test() {  # install_test RELEASE DEBDIR
  local rel="$1" debs="$2" rootfs="$work/$1-root" shots="$work/$1-screenshots"
  for m in $(awk -v r="$rootfs/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do umount -l "$m"; done
  rm -rf --one-file-system "$rootfs" "$shots"
  echo "== debootstrap $rel (minbase) into $rootfs"
  local start=$(date +%s)
  debootstrap --variant=minbase --cache-dir="$work/cache" "$rel" "$rootfs" "$mirror" >"$work/$rel-debootstrap.log" 2>&1 \
    || { fail "$rel" "debootstrap failed (see $work/$rel-debootstrap.log)"; return; }
  echo "   took $(( $(date +%s) - start )) s"
  # the updates and security suites, as on an installed system (the host built against them)
  printf 'deb %s %s-updates main\ndeb http://deb.debian.org/debian-security %s-security main\n' \
    "$mirror" "$rel" "$rel" >>"$rootfs/etc/apt/sources.list"
  cp -L /etc/resolv.conf "$rootfs/etc/resolv.conf" 2>/dev/null || true
  mkdir -p "$rootfs/tmp/debs"
  mount_once "$rootfs/proc" -t proc proc
  mount_once "$rootfs/dev" --rbind /dev
  mount --make-rslave "$rootfs/dev"
  cp "$debs"/*.deb "$rootfs/tmp/debs/"
  local in_root=(chroot "$rootfs" env -i HOME=/root LANG=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin)
  echo "== apt-get install --no-install-recommends ./*.deb ($rel)"
  if ! "${in_root[@]}" bash -c 'apt-get update -qq && cd /tmp/debs &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ./*.deb' \
        >"$work/$rel-install.log" 2>&1; then
    tail -20 "$work/$rel-install.log"; fail "$rel" "apt-get install failed (see $work/$rel-install.log)"; unmount_all; return
  fi
  local dev
  dev=$("${in_root[@]}" dpkg-query -W -f='${Package}\n' | grep -E -- '-dev$' || true)
  [ -z "$dev" ] || fail "$rel" "development packages were installed with ours: $(echo $dev)"
  echo "   installed: $("${in_root[@]}" dpkg-query -W -f='${Package} ${Version}\n' scns scns-workbench | tr '\n' ' ')"
  echo "   root size after install: $(du -sh --one-file-system "$rootfs" | cut -f1)"

  echo "== scns train --epochs 1 --train-per-class 100 ($rel)"
  "${in_root[@]}" bash -c 'scns --version && scns --db /root/runs.sqlite train --epochs 1 --train-per-class 100 \
      && scns --db /root/runs.sqlite runs' 2>&1 | tee "$work/$rel-train.log" | tail -5
  [ "${PIPESTATUS[0]}" -eq 0 ] || fail "$rel" "scns train failed (see $work/$rel-train.log)"
  grep -q finished "$work/$rel-train.log" || fail "$rel" "scns runs lists no finished run"

  echo "== scns-workbench --screenshots (offscreen, $rel)"
  "${in_root[@]}" bash -c 'QT_QPA_PLATFORM=offscreen scns-workbench --db /root/runs.sqlite --screenshots /root/shots \
      && ls /root/shots' >"$work/$rel-workbench.log" 2>&1 \
    || fail "$rel" "scns-workbench --screenshots failed (see $work/$rel-workbench.log)"
  local n
  n=$(ls "$rootfs/root/shots"/*.png 2>/dev/null | wc -l)
  echo "   $n screenshots"; [ "$n" -ge 5 ] || fail "$rel" "expected the workbench's screenshots, found $n PNG files"
  mkdir -p "$shots"; cp "$rootfs/root/shots"/*.png "$shots/" 2>/dev/null || true

  echo "== installed files ($rel): man pages, completion, desktop entry, icons, metainfo"
  local f
  for f in /usr/share/man/man1/scns.1.gz /usr/share/man/man1/scns-workbench.1.gz \
           /usr/share/bash-completion/completions/scns \
           /usr/share/applications/io.github.scnsworkbench.Workbench.desktop \
           /usr/share/metainfo/io.github.scnsworkbench.Workbench.metainfo.xml \
           /usr/share/icons/hicolor/256x256/apps/scns-workbench.png \
           /usr/share/icons/hicolor/scalable/apps/scns-workbench.svg \
           /usr/share/scns-workbench/resources/wordnet/cifar100.tsv; do
    [ -s "$rootfs$f" ] || fail "$rel" "$f is missing"
  done
  local words
  words=$("${in_root[@]}" bash -c 'source /usr/share/bash-completion/completions/scns;
      COMP_WORDS=(scns train --sampler ""); COMP_CWORD=3; _scns_complete; echo "${COMPREPLY[*]}"')
  [ "$words" = "none uniform class instance" ] || fail "$rel" "bash completion of 'scns train --sampler' gave '$words'"
  unmount_all
  echo "== $rel: done"
}

for rel in "${releases[@]}"; do
  echo "===== $rel"
  debs=$(build_packages "$rel") || { fail "$rel" "building the packages failed"; continue; }
  ls -1 "$debs"/*.deb
  run_lintian "$rel" "$debs"
  install_test "$rel" "$debs"
done

echo
if [ ${#failures[@]} -eq 0 ]; then
  echo "== check-deb: all passed (${releases[*]})"
else
  printf '== check-deb: %d failed\n' ${#failures[@]}; printf '   %s\n' "${failures[@]}"; exit 1
fi
