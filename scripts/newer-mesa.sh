#!/usr/bin/env bash
# Runs a command of this project on a newer llvmpipe than the machine's OS ships, without touching
# the OS: a Debian 13 (trixie) root under .mesa-chroot/ with Mesa from trixie-backports (26.x in
# late 2026) and trixie's Node.js, this working tree bind-mounted at /work. For comparing the
# kernels across Mesa releases (docs/bench.md); the engine itself needs none of it.
# Needs root (debootstrap, chroot, mount) and Debian's package servers; ≈ 900 MB and about a minute
# the first time here, then reused. Build first (npm run build): the chroot runs this tree's dist/.
# The tree is mounted inside while a command runs: delete .mesa-chroot only when
# `mount | grep mesa-chroot` shows nothing (a killed run can leave the mounts behind).
#   bash scripts/newer-mesa.sh node dist/train.js info
#   bash scripts/newer-mesa.sh node dist/bench/run.js --only matmul
#   I2MD_MESA_SUITE=sid bash scripts/newer-mesa.sh …      (another suite for Mesa; default trixie-backports)
set -euo pipefail
cd "$(dirname "$0")/.."
here=$PWD
R=$here/.mesa-chroot
suite=${I2MD_MESA_SUITE:-trixie-backports}
[ "$(id -u)" = 0 ] || { echo "newer-mesa: needs root (debootstrap, chroot, mount)"; exit 2; }
[ $# -gt 0 ] || { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
grep -qx '/.mesa-chroot/' .git/info/exclude 2>/dev/null || echo '/.mesa-chroot/' >> .git/info/exclude

if [ ! -x "$R/bin/bash" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
  debootstrap --variant=minbase --include=ca-certificates trixie "$R" http://deb.debian.org/debian
fi

mounted=()
cleanup() { for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[$i]}" 2>/dev/null || true; done; }
trap cleanup EXIT
bind() { mkdir -p "$2"; mountpoint -q "$2" || { mount --bind "$1" "$2"; mounted+=("$2"); }; }
bind /proc "$R/proc"; bind /sys "$R/sys"; bind /dev "$R/dev"; bind /dev/pts "$R/dev/pts"; bind "$here" "$R/work"

if [ ! -f "$R/.ready-$suite" ]; then
  printf 'deb http://deb.debian.org/debian trixie main\ndeb http://deb.debian.org/debian %s main\n' "$suite" > "$R/etc/apt/sources.list"
  # a proxy's certificate authority, if this machine trusts one, for apt inside
  cp /etc/ssl/certs/ca-certificates.crt "$R/etc/ssl/certs/ca-certificates.crt"
  cp /etc/resolv.conf "$R/etc/resolv.conf"
  # libegl-dev for the unversioned libEGL.so that Dawn loads (src/gpu/adapter.ts)
  chroot "$R" bash -c "export DEBIAN_FRONTEND=noninteractive; apt-get update -qq &&
    apt-get install -y -qq --no-install-recommends -t $suite libegl1 libegl-dev libegl-mesa0 libgles2 libgl1-mesa-dri mesa-vulkan-drivers libvulkan1 >/dev/null &&
    apt-get install -y -qq --no-install-recommends nodejs >/dev/null"
  touch "$R/.ready-$suite"
fi

echo "newer-mesa: $(chroot "$R" dpkg-query -W -f='Mesa ${Version}' libgl1-mesa-dri), $(chroot "$R" node --version)" >&2
chroot "$R" env -C /work "$@"
