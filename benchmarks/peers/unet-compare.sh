#!/usr/bin/env bash
# The 3D U-Net peer comparison: SpatiallySparse's sparse U-Net training step against the same U-Net as dense
# PyTorch conv3d and as SparseConvNet (built from source for the CPU), on the same generated point-cloud scenes
# (the benchmarks project's `unet-step` exports them), run ALTERNATELY in the same run so that load from other
# jobs hits every side.
#
#   benchmarks/peers/unet-compare.sh [--rounds 2] [--resolutions "64 128"] [--batch 2] [--scn DIR] [--no-torch] [--no-build]
#
# --scn DIR: a SparseConvNet checkout built in place (python3 setup.py build_ext --inplace); without it that
# peer is skipped. --no-torch skips the dense peer (a 128^3 dense step takes minutes on 2 cores). Needs Debian's python3-torch and libopenblas0-pthread. Prints every step time, then per
# resolution the median step of each side over all rounds and the ratios.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY=/usr/bin/python3
ROUNDS=2
RESOLUTIONS="64 128"
BATCH=2
SCN=""
BUILD=1
TORCH=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --resolutions) RESOLUTIONS="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --scn) SCN="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --no-torch) TORCH=0; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

source "$ROOT/benchmarks/peers/peer-setup.sh"
peer_setup
cd "$ROOT/benchmarks/peers"
for r in $(seq 1 "$ROUNDS"); do
  for s in $RESOLUTIONS; do
    echo "## ${s}^3 round $r: ours (load$(uptime | sed 's/.*load average//'))"
    dotnet "$DLL" unet-step --resolution "$s" --batch "$BATCH" --steps 5 --warmup 10 --export "$LOG/scenes-$s.txt" | tee "$LOG/ours-$s-$r.txt"
    if [[ $TORCH == 1 ]]; then
      echo "## ${s}^3 round $r: torch dense (load$(uptime | sed 's/.*load average//'))"
      "$PY" torch_unet_step.py --scenes "$LOG/scenes-$s.txt" --steps 1 --warmup 1 | tee "$LOG/torch-$s-$r.txt"
    fi
    if [[ -n "$SCN" ]]; then
      echo "## ${s}^3 round $r: SparseConvNet (load$(uptime | sed 's/.*load average//'))"
      OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 PYTHONPATH="$SCN" "$PY" scn_unet_step.py --scenes "$LOG/scenes-$s.txt" | tee "$LOG/scn-$s-$r.txt"
    fi
  done
done

"$PY" - "$LOG" $RESOLUTIONS <<'PYEOF'
import glob, statistics, sys
log, sides = sys.argv[1], sys.argv[2:]
def steps(side, who):
    return [float(l.split()[1]) for p in sorted(glob.glob(f"{log}/{who}-{side}-*.txt")) for l in open(p) if l.startswith("step_ms")]
print()
print("| grid | ours sparse median ms | PyTorch dense median ms | dense / ours | SparseConvNet median ms | SCN / ours |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for s in sides:
    o, t, c = steps(s, "ours"), steps(s, "torch"), steps(s, "scn")
    mo = statistics.median(o)
    mt = f"{statistics.median(t):.0f} (n={len(t)})" if t else "-"
    rt = f"{statistics.median(t) / mo:.1f}x" if t else "-"
    mc = f"{statistics.median(c):.0f} (n={len(c)})" if c else "-"
    rc = f"{statistics.median(c) / mo:.2f}x" if c else "-"
    print(f"| {s}^3 | {mo:.0f} (n={len(o)}) | {mt} | {rt} | {mc} | {rc} |")
PYEOF
