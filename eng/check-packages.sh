#!/usr/bin/env bash
# Packs the libraries under a version no cache can hold (0.2.0-ci.<time>), then restores, builds and runs
# tests/PackageConsumer against those packages alone, into a fresh packages folder: a file missing from a package or
# a public type made internal by mistake fails here. Prints the consumer's output; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
suffix="ci.$(date -u +%Y%m%d%H%M%S)"
prefix=$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' src/Directory.Build.props)
eng/pack.sh "$suffix" >/dev/null
packages=$(mktemp -d)
trap 'rm -rf "$packages"' EXIT
dotnet run -c Release --project tests/PackageConsumer -p:SpatiallySparseVersion="$prefix-$suffix" --packages "$packages" -nologo
