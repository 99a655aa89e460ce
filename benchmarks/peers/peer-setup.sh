# Sourced by the peer scripts (cpu-compare.sh, unet-compare.sh): what both do before measuring. Sets DLL (the
# benchmarks' build, rebuilt unless BUILD=0) and LOG (a temporary folder removed on exit), and prints the run's
# header line: date, cores, CPU model and commit. Needs ROOT and BUILD.
peer_setup() {
  DLL="$ROOT/benchmarks/SpatiallySparse.Benchmarks/bin/Release/net10.0/SpatiallySparse.Benchmarks.dll"
  if [[ $BUILD == 1 ]]; then
    dotnet build -c Release "$ROOT/benchmarks/SpatiallySparse.Benchmarks" -v quiet -nologo >/dev/null
  fi
  LOG="$(mktemp -d)"
  trap 'rm -rf "$LOG"' EXIT
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), commit $(git -C "$ROOT" rev-parse --short HEAD)"
}
