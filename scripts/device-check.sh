#!/usr/bin/env bash
# The GPU check of issue #8, in one call on a lent GPU machine (see scripts/device-bundle.sh, run
# here first): unpacks Node, the build and the Vulkan loader from .device/, then writes to $OUT
#   info.txt     nvidia-smi, the Vulkan driver found and the adapter the engine picks (`train.js info`)
#   doctor.txt   the port check: every kernel family against its TypeScript reference
#   bench.txt    npm run bench -- --all (every module, demo-preset pre-training step), bench.json
#   more.txt     the pre-training step at the stgcn-paper preset (paper.json), train.js tune --quick
#                (tuning.json: the winners), and the main job (`node dist/train.js`, demo preset)
# `device-check.sh matmul`: only doctor, the matmul benchmark (bench.txt/json) and `tune --only
# matmul` (more.txt, tuning.json), ≤ 3 min.
# `device-check.sh conv`: doctor, the matmul benchmark (the split-k tiles at 1024³) and the kernel
# benchmark (every conv pass by its default and through im2col + matmul) in bench.txt/json, then
# `tune --only tconv` and `--only matmul` into tuning.json and the paper-preset step with those
# winners (more.txt, paper.json), ≤ 9 min.
# `device-check.sh graph`: doctor, then the encoder benchmark and the paper-preset step with the graph
# aggregation dense (the GPU default) and over the partition's support (graphsparse=sparse) in
# more.txt, paper-dense.json and paper-sparse.json, ≤ 5 min.
# Each step has its own time limit, so one slow step still leaves the others' files (≤ 9 min in
# all; the device tool allows 10 per command and brings back 8 files). Also runs on a CPU-only
# machine, on llvmpipe, where the limits cut the slow steps short.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/i2md-device-out}
mkdir -p "$OUT"
B=$PWD/.device
[ -f "$B/node.gz" ] || { echo "no .device/: run scripts/device-bundle.sh first and carry .device" >&2; exit 2; }

if ! ldconfig -p | grep -q libvulkan.so.1 || ! ldconfig -p | grep -q libGLdispatch.so.0; then
  for f in "$B"/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
if ! ldconfig -p | grep -q libX11.so.6; then
  mkdir -p /opt/x11libs; for f in "$B"/x11/*.deb; do dpkg -x "$f" /opt/x11libs; done
  export LD_LIBRARY_PATH=/opt/x11libs/usr/lib/x86_64-linux-gnu:/opt/x11libs/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
# the NVIDIA Vulkan driver's manifest: where the driver mount keeps it, else the usual places, else
# one written here for the driver library (the loader then finds the GPU through it)
if [ -z "${VK_DRIVER_FILES:-}" ]; then
  for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
             /etc/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/etc/vulkan/icd.d/nvidia_icd.json; do
    [ -f "$icd" ] && { export VK_DRIVER_FILES=$icd; break; }
  done
fi
if [ -z "${VK_DRIVER_FILES:-}" ]; then
  lib=$(ldconfig -p | grep -o '/[^ ]*libGLX_nvidia.so.0' | head -1)
  [ -z "$lib" ] && lib=$(ls /usr/local/nvidia/lib64/libGLX_nvidia.so.0 2>/dev/null)
  if [ -n "$lib" ]; then
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$lib" > /tmp/nvidia_icd.json
    export VK_DRIVER_FILES=/tmp/nvidia_icd.json
  fi
fi

W=$(mktemp -d)
mkdir -p "$W/bin"
gzip -dc "$B/node.gz" > "$W/bin/node" && chmod +x "$W/bin/node"
tar -xzf "$B/app.tar.gz" -C "$W"
export PATH=$W/bin:$PATH
cd "$W"

{ date -u; nvidia-smi 2>&1 | head -15; nvidia-smi -q -d CLOCK 2>&1 | grep -A3 -i 'max clocks'
  echo "VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"; ldconfig -p | grep -i -E 'libvulkan|GLdispatch|libX11' | head
  ldd "$(ldconfig -p | grep -o '/[^ ]*libGLX_nvidia.so.0' | head -1)" 2>&1 | grep -i 'not found'
  node -v; node dist/train.js info; } > "$OUT/info.txt" 2>&1
cat "$OUT/info.txt"
# a GPU machine whose GPU the engine does not find: say why (the loader's log) and skip the rest
if command -v nvidia-smi > /dev/null && ! grep -qE '^software adapter +no' "$OUT/info.txt"; then
  VK_LOADER_DEBUG=error,warn,driver node dist/train.js info 2>&1 | tail -40 | tee -a "$OUT/info.txt"
  exit 3
fi

step() {   # seconds, output file, title, command...
  local limit=$1 file=$2 title=$3; shift 3
  { echo "== $title: $*"; date -u +%T; } >> "$OUT/$file.txt"
  timeout "$limit" "$@" >> "$OUT/$file.txt" 2>&1; echo "exit $? at $(date -u +%T)" >> "$OUT/$file.txt"
}
if [ "${1:-}" = matmul ]; then   # the matmul follow-up: its benchmark and a full tuning of the family
  step 55 doctor doctor node dist/train.js doctor
  step 50 bench bench node dist/bench/run.js --only matmul --json "$OUT/bench.json"
  I2MD_TUNING_FILE=$OUT/tuning.json step 60 more 'tune --only matmul' node dist/train.js tune --only matmul
  tail -n 4 "$OUT"/*.txt
  exit 0
fi
if [ "${1:-}" = conv ]; then     # the conv follow-up: im2col + matmul against the convs' GEMM, split k
  step 55 doctor doctor node dist/train.js doctor
  step 50 bench bench node dist/bench/run.js --only matmul --json "$OUT/bench.json"
  step 130 bench bench node dist/bench/run.js --only kernels --json "$OUT/bench-kernels.json"
  export I2MD_TUNING_FILE=$OUT/tuning.json
  step 120 more 'tune --only tconv' node dist/train.js tune --only tconv
  step 60 more 'tune --only matmul' node dist/train.js tune --only matmul
  step 60 more 'paper-preset step, tuned' node dist/bench/run.js --only pretrain --preset stgcn-paper --json "$OUT/paper.json"
  tail -n 4 "$OUT"/*.txt
  exit 0
fi
if [ "${1:-}" = graph ]; then    # the sparse aggregation on a GPU: each path of graphsparse
  step 55 doctor doctor node dist/train.js doctor
  for path in dense sparse; do
    I2MD_KERNELS=graphsparse=$path step 60 more "encoder, graphsparse=$path" node dist/bench/encoder.js
    I2MD_KERNELS=graphsparse=$path step 60 more "paper-preset step, graphsparse=$path" node dist/bench/run.js --only pretrain --preset stgcn-paper --json "$OUT/paper-$path.json"
  done
  tail -n 4 "$OUT"/*.txt
  exit 0
fi
step 120 doctor doctor node dist/train.js doctor
step 200 bench bench node dist/bench/run.js --all --json "$OUT/bench.json"
step 60 more 'paper-preset step' node dist/bench/run.js --only pretrain --preset stgcn-paper --json "$OUT/paper.json"
I2MD_TUNING_FILE=$OUT/tuning.json step 60 more 'tune --quick' node dist/train.js tune --quick
step 90 more 'main job' node dist/train.js
tail -n 4 "$OUT"/*.txt
