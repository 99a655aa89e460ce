"""Reads the scenes that `SpatiallySparse.Benchmarks unet-step --export FILE` writes, for the U-Net peers.

Header "resolution R scenes B features F classes K", then one line per voxel "scene x y z label f0 .. f(F-1)".
"""
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
