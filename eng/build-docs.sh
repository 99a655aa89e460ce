#!/usr/bin/env bash
# Builds the API reference and the guides with DocFX (pinned in .config/dotnet-tools.json) into artifacts/docs.
# Fails on any DocFX warning: a broken cref, a link to a missing file or anchor, a missing toc target.
# The metadata step builds src/*/*.csproj (Release), so missing public XML docs fail it as they fail the build.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore
dotnet docfx docs/docfx.json --warningsAsErrors "$@"
echo "API reference: artifacts/docs/index.html"
