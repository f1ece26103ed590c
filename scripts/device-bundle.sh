#!/usr/bin/env bash
# Prepares .device/ for scripts/device-check.sh: a lent GPU machine (the session's `device` tool)
# reaches no package registry and has no Node, so everything the check runs travels with the
# working tree (its limit is 64 MiB): this machine's Node binary (gzip), the build with the
# runtime npm packages and only the linux-x64 Dawn binary (gzip'd tar), and the Vulkan loader and
# glvnd packages (the GPU's driver brings the Vulkan ICD, not the loader nor glvnd's dispatch). About 45 MB.
# Run here, then:  device run  command="bash scripts/device-check.sh"  carry=[".device"]
set -euo pipefail
cd "$(dirname "$0")/.."
B=.device
rm -rf "$B" && mkdir -p "$B/debs"
grep -qx '/.device/' .git/info/exclude 2>/dev/null || echo '/.device/' >> .git/info/exclude

npm run build --silent
node_bin=$(readlink -f "$(command -v node)")
gzip -6 -c "$node_bin" > "$B/node.gz"

# the runtime packages (npm ls --omit=dev), with Dawn's binaries for other platforms left out
mapfile -t pkgs < <(npm ls --omit=dev --all --parseable 2>/dev/null | sed "s|^$PWD/||" | grep '^node_modules/')
tar -czf "$B/app.tar.gz" --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' \
  --exclude='node_modules/webgpu/dist/linux-arm64' dist kernels package.json "${pkgs[@]}"

lists=$(mktemp -d)
o="-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=$lists"
mkdir -p "$lists/partial"
apt-get $o update -qq
# libGLX_nvidia (the driver's Vulkan ICD) needs glvnd's dispatch library, which a bare machine lacks
(cd "$B/debs" && apt-get $o download libvulkan1 libglvnd0 libglx0 libgl1 libegl1 libopengl0 libgles2 2>/dev/null)
# and X11 client libraries, unpacked beside the system's (not into /) where it lacks them
mkdir -p "$B/x11" && (cd "$B/x11" && apt-get $o download libx11-6 libxext6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0 2>/dev/null)
rm -rf "$lists"
du -sh "$B"
