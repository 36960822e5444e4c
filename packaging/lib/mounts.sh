# Mounts for the chroot checks (check-debian13.sh, check-deb.sh), sourced by them: every mount
# made with mount_once or track_mount is undone on exit, newest first (lazily if busy).
mounted=()
unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -R "${mounted[i]}" 2>/dev/null || umount -R -l "${mounted[i]}" 2>/dev/null || true
  done
  mounted=()
}
trap unmount_all EXIT
trap 'exit 130' INT TERM
mount_once() {  # mount_once TARGET MOUNT-ARGS...: replaces a mount left by a killed earlier run
  local target="$1"; shift
  mkdir -p "$target"
  if mountpoint -q "$target"; then umount -R "$target" 2>/dev/null || umount -R -l "$target"; fi
  mount "$@" "$target"
  mounted+=("$target")
}
