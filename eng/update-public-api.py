#!/usr/bin/env python3
"""Records the libraries' public API: builds each packed project, adds every symbol the public-API analyzer
reports as undeclared (RS0016) to its PublicAPI.Unshipped.txt and drops every declared symbol that no longer
exists (RS0017). Run it after an intended public change, then review the diff of the PublicAPI files.

    python3 eng/update-public-api.py [project.csproj ...]   (default: every project under src/)
"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
ADDED = re.compile(r"error RS0016: Symbol '(.*)' is not part of the declared public API.*\[(.*\.csproj)\]")
REMOVED = re.compile(r"error RS0017: Symbol '(.*)' is part of the declared API, but is either not public or could not be found.*\[(.*\.csproj)\]")


def build(project: pathlib.Path) -> str:
    result = subprocess.run(["dotnet", "build", "-c", "Release", "--no-incremental", str(project)],
                            capture_output=True, text=True, cwd=ROOT)
    return result.stdout + result.stderr


def update(project: pathlib.Path) -> None:
    log = build(project)
    added = {m.group(1) for m in ADDED.finditer(log) if pathlib.Path(m.group(2)).resolve() == project}
    removed = {m.group(1) for m in REMOVED.finditer(log) if pathlib.Path(m.group(2)).resolve() == project}
    for name in ("PublicAPI.Unshipped.txt", "PublicAPI.Shipped.txt"):
        path = project.parent / name
        lines = [l for l in path.read_text().splitlines() if l.strip()] if path.exists() else ["#nullable enable"]
        body = [l for l in lines[1:] if l not in removed]
        if name == "PublicAPI.Unshipped.txt":
            body = sorted(set(body) | added, key=str.lower)
        path.write_text("\n".join([lines[0]] + body) + "\n")
    print(f"{project.relative_to(ROOT)}: +{len(added)} -{len(removed)}")


projects = [pathlib.Path(p).resolve() for p in sys.argv[1:]] or sorted(ROOT.glob("src/*/*.csproj"))
for p in projects:
    update(p)
