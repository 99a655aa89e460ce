#!/usr/bin/env bash
# Builds the self-contained GPU check (the GPU machine has no .NET and no internet) and packs it into
# .device/gpucheck.tar.xz for benchmarks/gpu/run.sh. Then starts it once here: without a GPU it must print
# the "NO CUDA DEVICE" message and exit with code 2.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
dotnet publish "$root/benchmarks/SpatiallySparse.GpuCheck" -c Release -r linux-x64 --self-contained \
  -p:DebugType=none -p:GenerateDocumentationFile=false -o "$stage/gpucheck"
mkdir -p "$root/.device"
tar -cJf "$root/.device/gpucheck.tar.xz" -C "$stage" gpucheck
ls -l "$root/.device/gpucheck.tar.xz"
set +e
"$stage/gpucheck/SpatiallySparse.GpuCheck"
code=$?
set -e
echo "local start-up check: exit code $code (2 = no CUDA device, as expected without a GPU)"
