"""What the U-Net peers share: the scenes that `SpatiallySparse.Benchmarks unet-step --export FILE` writes, the
common arguments, and the timed training loop with its output ("step_ms" per timed step, then "median_ms").

Header "resolution R scenes B features F classes K", then one line per voxel "scene x y z label f0 .. f(F-1)".
"""
import argparse
import statistics
import time

import torch


def read(path):
    """Returns (resolution, scenes, classes, coords LongTensor N x 3, batch LongTensor N, labels LongTensor N, features FloatTensor N x F)."""
    with open(path) as f:
        head = f.readline().split()
        meta = {head[i]: int(head[i + 1]) for i in range(0, len(head), 2)}
        rows = [line.split() for line in f if line.strip()]
    batch = torch.tensor([int(r[0]) for r in rows], dtype=torch.long)
    coords = torch.tensor([[int(r[1]), int(r[2]), int(r[3])] for r in rows], dtype=torch.long)
    labels = torch.tensor([int(r[4]) for r in rows], dtype=torch.long)
    features = torch.tensor([[float(v) for v in r[5:]] for r in rows], dtype=torch.float32)
    assert features.shape[1] == meta["features"], "feature count differs from the header"
    return meta["resolution"], meta["scenes"], meta["classes"], coords, batch, labels, features


def arguments(steps, warmup):
    """The parser of the arguments every peer takes (--scenes, --widths, --reps, --steps, --warmup); a peer may add its own."""
    p = argparse.ArgumentParser()
    p.add_argument("--scenes", required=True)
    p.add_argument("--widths", default="8,16,24,32,48")
    p.add_argument("--reps", type=int, default=1)
    p.add_argument("--steps", type=int, default=steps)
    p.add_argument("--warmup", type=int, default=warmup)
    return p


def time_steps(step, warmup, steps):
    """Runs step() warmup + steps times; prints each timed step's "step_ms" and then their "median_ms"."""
    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        step()
        ms = (time.perf_counter() - start) * 1e3
        if i >= warmup:
            times.append(ms)
            print(f"step_ms {ms:.1f}", flush=True)
    print(f"median_ms {statistics.median(times):.1f}")
