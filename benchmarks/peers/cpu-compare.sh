#!/usr/bin/env bash
# The CPU peer comparison: PyTorch's dense DeepCNet training step against SpatiallySparse's sparse step, same
# machine, same run, run ALTERNATELY (ours, torch, ours, torch, ...) so that load from other jobs hits both.
#
#   benchmarks/peers/cpu-compare.sh [--rounds 3] [--workloads "mnist assamese"] [--no-build]
#
# Workloads (the same on both sides; see torch_cpu_step.py and the benchmarks project's `step` command):
#   mnist       DeepCNet(5, 60), batch 100, real MNIST digits (threshold 0.02, centred in 96 x 96);
#               MNIST from $SPATIALLYSPARSE_DATA or shared/data/mnist above the current folder.
#   assamese    DeepCNet(6, 32), batch 100, 192 x 192: our side renders real Assamese characters (writers 1-36,
#               from $SPATIALLYSPARSE_DATA or shared/data/assamese); the dense PyTorch step costs the same
#               whatever the input, so it feeds a random sparse pattern.
# Installs Debian's PyTorch and OpenBLAS (apt-get, needs root) when torch is missing or not on OpenBLAS. Prints
# every step time, then per workload the median step of each side over all rounds and the ratio torch / ours.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY=/usr/bin/python3   # Debian's python: the python3 first on PATH may be another one without torch
ROUNDS=3
WORKLOADS="mnist assamese"
BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --workloads) WORKLOADS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

install_torch() {
  echo "# installing python3-torch and libopenblas0-pthread with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq python3-torch libopenblas0-pthread >/dev/null
}

if ! "$PY" -c "import torch" 2>/dev/null; then
  install_torch
fi
# The peer refuses (status 3) when the BLAS it loaded is not OpenBLAS.
if ! "$PY" -c "
import sys; sys.path.insert(0, '$ROOT/benchmarks/peers')
import torch, torch_cpu_step
libs = torch_cpu_step.blas_libraries()
sys.exit(0 if 'openblas' in torch.__config__.show().lower() or any('openblas' in b for b in libs) else 3)"; then
  install_torch
fi

source "$ROOT/benchmarks/peers/peer-setup.sh"
peer_setup
echo "# load at start:$(uptime | sed 's/.*load average//')"

# Our side warms up for tens of steps: .NET's tiered JIT recompiles hot methods with full optimisation only after
# ~30 calls, in the background, and a training run spends nearly all its steps after that. PyTorch's native
# kernels need only the first step (allocations, oneDNN primitive creation) as warm-up.
for w in $WORKLOADS; do
  case "$w" in
    mnist) OURS_ARGS=(--steps 5 --warmup 30); TORCH_ARGS=(--steps 3 --warmup 1) ;;
    assamese) OURS_ARGS=(--steps 3 --warmup 15); TORCH_ARGS=(--steps 2 --warmup 1) ;;
    *) echo "unknown workload $w" >&2; exit 2 ;;
  esac
  for r in $(seq 1 "$ROUNDS"); do
    echo "## $w round $r: ours (load$(uptime | sed 's/.*load average//'))"
    dotnet "$DLL" step --workload "$w" --mode sparse "${OURS_ARGS[@]}" | tee "$LOG/ours-$w-$r.txt"
    echo "## $w round $r: torch (load$(uptime | sed 's/.*load average//'))"
    (cd "$ROOT" && "$PY" "$ROOT/benchmarks/peers/torch_cpu_step.py" --workload "$w" "${TORCH_ARGS[@]}") | tee "$LOG/torch-$w-$r.txt"
  done
done
echo "# load at end:$(uptime | sed 's/.*load average//')"

"$PY" - "$LOG" $WORKLOADS <<'PYEOF'
import glob, statistics, sys
log, workloads = sys.argv[1], sys.argv[2:]
def steps(pattern):
    out = []
    for path in sorted(glob.glob(pattern)):
        out += [float(l.split()[1]) for l in open(path) if l.startswith("step_ms")]
    return out
print()
print("| workload | PyTorch dense median ms | ours sparse median ms | torch / ours | per-round ratios |")
print("| --- | ---: | ---: | ---: | --- |")
for w in workloads:
    ours, torch = steps(f"{log}/ours-{w}-*.txt"), steps(f"{log}/torch-{w}-*.txt")
    rounds = []
    for path in sorted(glob.glob(f"{log}/ours-{w}-*.txt")):
        r = path.rsplit("-", 1)[1]
        o, t = steps(path), steps(f"{log}/torch-{w}-{r}")
        rounds.append(f"{statistics.median(t) / statistics.median(o):.1f}x")
    to, tt = statistics.median(ours), statistics.median(torch)
    print(f"| {w} | {tt:.0f} (n={len(torch)}) | {to:.0f} (n={len(ours)}) | {tt / to:.1f}x | {', '.join(rounds)} |")
PYEOF
