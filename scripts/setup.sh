#!/usr/bin/env bash
# Fresh-machine setup: a software WebGPU adapter where there is no GPU driver, the npm packages,
# and the build. Safe to run again. Usage: npm run setup   (or: bash scripts/setup.sh)
#   I2MD_SKIP_SYSTEM=1   skip the system packages (you manage drivers yourself)
#   I2MD_NO_VULKAN=1     skip lavapipe (Vulkan) — llvmpipe through OpenGL ES alone is enough
set -euo pipefail
cd "$(dirname "$0")/.."

# libegl-dev: Dawn dlopens the unversioned libEGL.so, which only the -dev package provides
need_gles=(libegl1 libegl-dev libegl-mesa0 libgles2)
need_vk=(mesa-vulkan-drivers libvulkan1)

install_system() {
  [ "${I2MD_SKIP_SYSTEM:-}" = 1 ] && return 0
  command -v apt-get >/dev/null || { echo "setup: not a Debian/Ubuntu system; install Mesa's EGL/GLES (or Vulkan lavapipe) drivers yourself — see README 'Setup'."; return 0; }
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; else
      echo "setup: not root; to get a software WebGPU adapter run:"
      echo "  sudo apt-get install ${need_gles[*]} ${need_vk[*]}"
      return 0
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  local missing=()
  for p in "${need_gles[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ "${I2MD_NO_VULKAN:-}" != 1 ]; then
    # Dawn rejects Mesa 22's lavapipe; Debian 12 gets Mesa ≥ 24 from bookworm-backports.
    . /etc/os-release
    local vk_target=()
    if [ "${VERSION_CODENAME:-}" = bookworm ]; then
      if ! grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "deb http://deb.debian.org/debian bookworm-backports main" | $sudo tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
      fi
      vk_target=(-t bookworm-backports)
    fi
    local vk_version
    vk_version=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
    case "$vk_version" in 2[4-9].*|[3-9][0-9].*) ;; *) missing+=(VK) ;; esac
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  $sudo apt-get update -qq
  local gles=() ; for p in "${missing[@]}"; do [ "$p" != VK ] && gles+=("$p"); done
  [ ${#gles[@]} -gt 0 ] && $sudo apt-get install -y -qq --no-install-recommends "${gles[@]}" >/dev/null
  if printf '%s\n' "${missing[@]}" | grep -qx VK; then
    $sudo apt-get install -y -qq --no-install-recommends "${vk_target[@]}" "${need_vk[@]}" >/dev/null \
      || echo "setup: could not install lavapipe (Vulkan); the OpenGL ES path is used instead."
  fi
}

install_system
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi
npm run build --silent
node dist/train.js info | sed -n '1,4p'
