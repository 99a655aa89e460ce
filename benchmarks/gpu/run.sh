#!/usr/bin/env bash
# Runs ON the GPU machine (no .NET, no internet), from the repository root with .device/ carried:
#   bash benchmarks/gpu/run.sh [mnist-folder]
# Unpacks the self-contained check built by publish.sh, runs it (conformance PASS/FAIL, convolution timings,
# DeepCNet(5,60) step), then the PyTorch peer, and prints one short table. About 6 minutes at most.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
archive="$root/.device/gpucheck.tar.xz"
work=/tmp/spatiallysparse-gpucheck
rm -rf "$work" && mkdir -p "$work"
if [ ! -f "$archive" ]; then
  echo "missing $archive: run benchmarks/gpu/publish.sh on a machine with .NET first"; exit 1
fi
tar -xJf "$archive" -C "$work" 2>/dev/null \
  || python3 -c "import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" "$archive" "$work"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true

mnist=()
[ $# -ge 1 ] && mnist=(--mnist "$1")
timeout 330 "$work/gpucheck/SpatiallySparse.GpuCheck" "${mnist[@]}" 2>&1 | tee "$work/gpucheck.log"
echo "gpu check exit code: ${PIPESTATUS[0]}"

if python3 -c "import torch" 2>/dev/null; then
  timeout 120 python3 "$root/benchmarks/peers/torch_deepcnet.py" 2>&1 | tee "$work/torch.log"
else
  echo "TORCH status not-installed" | tee "$work/torch.log"
fi

echo
echo "| figure | value |"
echo "| --- | --- |"
grep -h '^SUMMARY ' "$work/gpucheck.log" | sed -E 's/^SUMMARY ([^ ]+) (.*)$/| \1 | \2 |/'
grep -h '^TORCH ' "$work/torch.log" | sed -E 's/^TORCH ([^ ]+) (.*)$/| torch_\1 | \2 |/'
grep -h ' FAIL ' "$work/gpucheck.log" | sed -E 's/^ +/| FAILED | /; s/$/ |/'
