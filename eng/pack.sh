#!/usr/bin/env bash
# Packs every library (src/*/*.csproj: SpatiallySparse, .Dense, .Handwriting, .Ilgpu, .Distributed) into
# artifacts/packages, with symbols. Usage: eng/pack.sh [VERSION-SUFFIX]   (e.g. ci.20261203101500)
set -euo pipefail
cd "$(dirname "$0")/.."
suffix=${1:-}
args=(-c Release -o artifacts/packages -p:ContinuousIntegrationBuild=true)
[ -n "$suffix" ] && args+=(--version-suffix "$suffix")
for project in src/*/*.csproj; do
  dotnet pack "$project" "${args[@]}" -nologo -v quiet
done
ls artifacts/packages/*.nupkg
