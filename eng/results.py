#!/usr/bin/env python3
"""Writes the measured figures of README.md and docs/*.md from docs/results.json.

Regions written (the marker lines stay, everything between them is replaced):

  README.md:   <!-- results:begin --> ... <!-- results:end -->       the "Measured" section
  docs/*.md:   <!-- results:table ID --> ... <!-- results:end -->    the table of record ID and its source line

Usage: python3 eng/results.py [--check]   (--check: exit 1 and name the files that differ, write nothing)

tests/SpatiallySparse.Samples.Tests/Docs/DocsResultsTests.cs renders the same text in C# and fails when a page
differs from the record: change docs/results.json, then run this script.
"""
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
RECORD = ROOT / "docs" / "results.json"
README_REGION = re.compile(r"(<!-- results:begin -->\n)(.*?)(<!-- results:end -->)", re.S)
TABLE_REGION = re.compile(r"(<!-- results:table ([a-z0-9-]+) -->\n)(.*?)(<!-- results:end -->)", re.S)
PLACEHOLDER = re.compile(r"\{([a-z0-9-]+)\.([a-z0-9_]+)\}")


def records(doc):
    return {r["id"]: r for r in doc["records"]}


def fill(text, doc, used):
    by_id = records(doc)

    def one(m):
        rid, key = m.group(1), m.group(2)
        if rid not in by_id or key not in by_id[rid].get("figures", {}):
            raise SystemExit(f"results.json: no figure {rid}.{key}")
        if rid not in used:
            used.append(rid)
        return by_id[rid]["figures"][key]

    return PLACEHOLDER.sub(one, text)


def readme_section(doc):
    used = []
    bullets = [fill(b, doc, used) for b in doc["readme"]["bullets"]]
    by_id = records(doc)
    sources = ", ".join(f"`{rid}` ({by_id[rid]['date']}, commit `{by_id[rid]['commit']}`, {by_id[rid]['machine']})" for rid in used)
    lines = [doc["readme"]["heading"], ""] + [f"- {b}" for b in bullets] + [
        "",
        "Each figure is a record of [docs/results.json](docs/results.json), with its machine, date, commit and command: "
        + sources + ". Tables and conditions: [docs/results.md](docs/results.md), [docs/benchmarks.md](docs/benchmarks.md).",
    ]
    return "\n".join(lines) + "\n"


def table(record):
    t = record["table"]
    lines = ["| " + " | ".join(t["columns"]) + " |",
             "| " + " | ".join("---:" if a == "right" else "---" for a in t["align"]) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in t["rows"]]
    source = (f"Record `{record['id']}` of [results.json](results.json): machine `{record['machine']}`, {record['date']}, "
              f"commit `{record['commit']}`, `{record['command']}`")
    if "note" in record:
        source += f"; {record['note']}"
    return "\n".join(lines) + "\n\n" + source + ".\n"


def render(path, text, doc):
    by_id = records(doc)
    if path.name == "README.md" and path.parent == ROOT:
        if not README_REGION.search(text):
            raise SystemExit("README.md has no <!-- results:begin --> region")
        text = README_REGION.sub(lambda m: m.group(1) + readme_section(doc) + m.group(3), text)

    def one(m):
        rid = m.group(2)
        if rid not in by_id or "table" not in by_id[rid]:
            raise SystemExit(f"{path.relative_to(ROOT)}: results.json has no table for record {rid}")
        return m.group(1) + table(by_id[rid]) + m.group(4)

    return TABLE_REGION.sub(one, text)


def main():
    check = "--check" in sys.argv[1:]
    doc = json.loads(RECORD.read_text(encoding="utf-8"))
    stale = []
    for path in [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        new = render(path, text, doc)
        if new != text:
            stale.append(str(path.relative_to(ROOT)))
            if not check:
                path.write_text(new, encoding="utf-8")
    if check and stale:
        print("differs from docs/results.json: " + ", ".join(stale))
        return 1
    print(("up to date" if not stale else "wrote " + ", ".join(stale)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
