#!/usr/bin/env bash
# Alternated A/B of the training step between two builds of the benchmarks (this machine's speed drifts 20-50%
# within minutes, so A and B take turns): for each round and workload, A's `step` then B's, printing each run's
# median step, its allocation per step, and the median of each side over all rounds.
#
#   benchmarks/ab-step.sh A.dll B.dll [--rounds 3] [--workloads "mnist assamese"] [--mode sparse|inference]
#   (A.dll, B.dll: benchmarks/SpatiallySparse.Benchmarks/bin/Release/net10.0/SpatiallySparse.Benchmarks.dll of each build)
set -euo pipefail
A=$1; B=$2; shift 2
ROUNDS=3; WORKLOADS="mnist assamese"; MODE=sparse
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --workloads) WORKLOADS="$2"; shift 2 ;;
    --mode) MODE="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
median() { sort -n | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
for w in $WORKLOADS; do
  : > "/tmp/ab-$w-A"; : > "/tmp/ab-$w-B"
  for r in $(seq "$ROUNDS"); do
    for side in A B; do
      dll=$A; [ "$side" = B ] && dll=$B
      out=$(dotnet "$dll" step --workload "$w" --mode "$MODE" --steps 7 --warmup 3)
      ms=$(echo "$out" | sed -n 's/^median_ms \([0-9.]*\).*/\1/p')
      bytes=$(echo "$out" | sed -n 's/^step_allocated_bytes_per_step \([0-9.]*\).*/\1/p')
      echo "$ms" >> "/tmp/ab-$w-$side"
      echo "$w round $r $side: median ${ms} ms, ${bytes} bytes allocated per step, load $(cut -d' ' -f1 /proc/loadavg)"
    done
  done
  a=$(median < "/tmp/ab-$w-A"); b=$(median < "/tmp/ab-$w-B")
  echo "$w: A median of medians ${a} ms, B ${b} ms, B/A $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", b/a}')"
done
