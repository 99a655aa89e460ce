"""Condenses a joined BenchmarkDotNet CSV report of ConvolutionBenchmarks (+ FmaPeak, Pooling, rulebooks) into
the Markdown tables of docs/benchmarks.md: one row per geometry, filter and channel pair.
Usage: python3 benchmarks/tools/condense_kernels.py BenchmarkDotNet.Artifacts/results/*-report.csv
"""
import csv
import sys

UNITS = {"ns": 1e-6, "μs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1e3}
GEOMETRY = ["disc2d-5k", "disc2d-50k", "shell3d-64"]
CHANNELS = ["1->64", "32->64", "64->64", "128->128"]


def ms(text: str) -> float:
    value, unit = text.replace(",", "").split()
    return float(value) * UNITS[unit]


def main(path: str) -> None:
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    conv = {(r["Geometry"], r["Filter"], r["Channels"], r["Method"]): r for r in rows if r["Type"] == "ConvolutionBenchmarks"}
    fma = {r["Method"]: r for r in rows if r["Type"] == "FmaPeakBenchmarks"}
    for m in ("OneCore", "AllCores"):
        if m in fma:
            print(f"FMA peak {m}: {ms(fma[m]['Mean']):.2f} ms, {fma[m]['GFLOP/s']} GFLOP/s")
    print()
    print("| geometry | filter | Cin->Cout | fwd scalar ms | fwd V256 GFLOP/s | fwd V512 ms | fwd V512 GFLOP/s | % of peak | x scalar | bwd scalar ms | bwd V512 ms | bwd V512 GFLOP/s | % of peak | x scalar |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for g in GEOMETRY:
        for f in ("3", "2"):
            for c in CHANNELS:
                k = lambda m: conv.get((g, f, c, m))
                fs, f2, f5, bs, b5 = k("ForwardScalar"), k("ForwardVector256"), k("ForwardVector512"), k("BackwardScalar"), k("BackwardVector512")
                if not all((fs, f2, f5, bs, b5)):
                    continue
                print(f"| {g} | {f} | {c} | {ms(fs['Mean']):,.1f} | {f2['GFLOP/s']} | {ms(f5['Mean']):,.2f} | {f5['GFLOP/s']} | {f5['% of FMA peak']} | "
                      f"{ms(fs['Mean']) / ms(f5['Mean']):.0f}x | {ms(bs['Mean']):,.1f} | {ms(b5['Mean']):,.2f} | {b5['GFLOP/s']} | {b5['% of FMA peak']} | "
                      f"{ms(bs['Mean']) / ms(b5['Mean']):.0f}x |")
    print()
    print("| benchmark | geometry | mean ms | Mpairs/s | allocated |")
    print("| --- | --- | ---: | ---: | ---: |")
    for r in rows:
        if r["Type"] in ("PoolingBenchmarks", "SubmanifoldRuleBookBenchmarks", "RuleBookBuildBenchmarks"):
            print(f"| {r['Type']}.{r['Method']} | {r.get('Geometry', '?')} | {ms(r['Mean']):,.2f} | {r.get('Mpairs/s', '-')} | {r.get('Allocated', '-')} |")


if __name__ == "__main__":
    main(sys.argv[1])
