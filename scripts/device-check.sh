#!/usr/bin/env bash
# The GPU check of issue #8, in one call on a lent GPU machine (see scripts/device-bundle.sh, run
# here first): unpacks Node, the build and the Vulkan loader from .device/, then writes to $OUT
#   info.txt     nvidia-smi and the adapter the engine picks (`train.js info`)
#   doctor.txt   the port check: every kernel family against its TypeScript reference
#   bench.txt    npm run bench -- --all (every module, demo-preset pre-training step), bench.json
#   paper.txt    the pre-training step at the paper preset (--only pretrain --preset paper), paper.json
#   tune.txt     train.js tune --quick, and tuning.json the winners
# Each step has its own time limit, so one slow step still leaves the others' files (≤ 9 min in
# all; the device tool allows 10 per command). Also runs on a CPU-only machine, on llvmpipe,
# where the limits cut the slow modules short.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/i2md-device-out}
mkdir -p "$OUT"
B=$PWD/.device
[ -f "$B/node.gz" ] || { echo "no .device/: run scripts/device-bundle.sh first and carry .device" >&2; exit 2; }

if ! ldconfig -p | grep -q libvulkan.so.1; then
  for f in "$B"/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES=${VK_DRIVER_FILES:-$icd}

W=$(mktemp -d)
mkdir -p "$W/bin"
gzip -dc "$B/node.gz" > "$W/bin/node" && chmod +x "$W/bin/node"
tar -xzf "$B/app.tar.gz" -C "$W"
export PATH=$W/bin:$PATH
cd "$W"

{ date -u; nvidia-smi 2>&1 | head -15; node -v; node dist/train.js info; } > "$OUT/info.txt" 2>&1
step() {   # seconds, output name, command...
  local limit=$1 name=$2; shift 2
  timeout "$limit" "$@" > "$OUT/$name.txt" 2>&1; echo "exit $?" >> "$OUT/$name.txt"
}
step 150 doctor node dist/train.js doctor
step 220 bench node dist/bench/run.js --all --json "$OUT/bench.json"
step 90 paper node dist/bench/run.js --only pretrain --preset paper --json "$OUT/paper.json"
I2MD_TUNING_FILE=$OUT/tuning.json step 60 tune node dist/train.js tune --quick
tail -n 3 "$OUT"/*.txt
