"""Dense DeepCNet training step in PyTorch on the CPU: the peer of SpatiallySparse's sparse step, same machine.

Same network as SpatiallySparse.Networks.DeepCNet.Create(L, K) (see torch_deepcnet.py): a 3x3 valid convolution
with K filters, then 2x2 convolutions with n * K filters (n = 2..L+1), ReLU, 2x2 max pooling after the first L,
a linear softmax layer. SGD with momentum 0.9, channels-last tensors, torch.set_num_threads(all cores).

Workloads (as in the .NET `step` command):
  mnist       DeepCNet(5, 60), batch 100, the first MNIST training digits (value/255 > 0.02) centred in 96 x 96
  assamese    DeepCNet(6, 32), batch 100, 192 x 192, 183 classes; a dense step costs the same whatever the input
              values, so this side feeds a random sparse pattern (about 400 pixels in a central 80 x 80 box)
              instead of reading the UCI files; the .NET side renders the real characters

Prints one "step_ms" line per timed step, then "median_ms". Exits with status 3 when the BLAS that torch loaded is
not OpenBLAS (Debian's reference BLAS makes an unfairly slow peer) unless --allow-any-blas is given.
Usage: python3 torch_cpu_step.py [--workload mnist] [--steps 3] [--warmup 1] [--layout channels_last|default]
"""
import argparse
import functools
import gzip
import os
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_deepcnet import deepcnet


@functools.lru_cache(maxsize=None)  # every batch reads the same files: decompress them once
def read_idx(path: str) -> bytes:
    for candidate in (path, path + ".gz"):
        if os.path.exists(candidate):
            with open(candidate, "rb") as f:
                data = f.read()
            return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    raise FileNotFoundError(f"{path}[.gz] not found")


def mnist_folder() -> str:
    variable = os.environ.get("SPATIALLYSPARSE_DATA")
    if variable:
        for candidate in (os.path.join(variable, "mnist"), variable):
            if any(os.path.exists(os.path.join(candidate, "train-images-idx3-ubyte" + s)) for s in ("", ".gz")):
                return candidate
        raise FileNotFoundError(f"$SPATIALLYSPARSE_DATA={variable} holds no MNIST")
    d = os.getcwd()
    while True:
        candidate = os.path.join(d, "shared", "data", "mnist")
        if os.path.isdir(candidate):
            return candidate
        parent = os.path.dirname(d)
        if parent == d:
            raise FileNotFoundError("MNIST not found: set SPATIALLYSPARSE_DATA or run below shared/data/mnist")
        d = parent


def mnist_batch(index: int, batch: int, side: int = 96, threshold: float = 0.02) -> tuple[torch.Tensor, torch.Tensor]:
    folder = mnist_folder()
    images = read_idx(os.path.join(folder, "train-images-idx3-ubyte"))
    labels = read_idx(os.path.join(folder, "train-labels-idx1-ubyte"))
    first = index * batch
    pixels = torch.frombuffer(bytearray(images[16 + first * 784:16 + (first + batch) * 784]), dtype=torch.uint8)
    digits = pixels.view(batch, 1, 28, 28).float() / 255
    digits = torch.where(digits > threshold, digits, torch.zeros_like(digits))
    x = torch.zeros(batch, 1, side, side)
    o = (side - 28) // 2
    x[:, :, o:o + 28, o:o + 28] = digits
    y = torch.tensor(list(labels[8 + first:8 + first + batch]), dtype=torch.long)
    return x, y


def strokes_batch(index: int, batch: int, side: int = 192, classes: int = 183) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(1000 + index)
    x = torch.zeros(batch, 1, side, side)
    box = 80
    lo = (side - box) // 2
    for b in range(batch):
        idx = torch.randint(0, box * box, (400,), generator=g)
        x[b, 0, lo + idx // box, lo + idx % box] = 1.0
    y = (torch.arange(batch) + index * batch) % classes
    return x, y


def blas_libraries() -> list[str]:
    torch.randn(64, 64) @ torch.randn(64, 64)
    with open("/proc/self/maps") as f:
        return sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workload", choices=["mnist", "assamese"], default="mnist")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--layout", choices=["channels_last", "default"], default="channels_last")
    parser.add_argument("--allow-any-blas", action="store_true")
    args = parser.parse_args()

    cores = os.cpu_count() or 1
    torch.set_num_threads(cores)
    blas = blas_libraries()
    openblas = "openblas" in torch.__config__.show().lower() or any("openblas" in b for b in blas)
    print(f"# torch {torch.__version__}, {torch.get_num_threads()} threads, BLAS loaded: {', '.join(blas) or 'none'}, "
          f"oneDNN {'on' if torch.backends.mkldnn.is_available() else 'off'}, layout {args.layout}")
    if not openblas and not args.allow_any_blas:
        print("# torch is not using OpenBLAS: install libopenblas0-pthread (see cpu-compare.sh)")
        raise SystemExit(3)

    torch.manual_seed(1)
    if args.workload == "mnist":
        net, make, classes = deepcnet(5, 60, 10), mnist_batch, 10
    else:
        net, make, classes = deepcnet(6, 32, 183), strokes_batch, 183
    distinct = min(args.warmup + args.steps, 10)
    batches = [make(i, 100) for i in range(distinct)]
    if args.layout == "channels_last":
        net = net.to(memory_format=torch.channels_last)
        batches = [(x.contiguous(memory_format=torch.channels_last), y) for x, y in batches]
    opt = torch.optim.SGD(net.parameters(), lr=0.003, momentum=0.9)

    def step(x: torch.Tensor, y: torch.Tensor) -> float:
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return float(loss)

    for i in range(args.warmup):
        step(*batches[i % distinct])
    times = []
    for i in range(args.steps):
        x, y = batches[(args.warmup + i) % distinct]
        start = time.perf_counter()
        step(x, y)
        ms = (time.perf_counter() - start) * 1e3
        times.append(ms)
        print(f"step_ms {ms:.1f}", flush=True)
    print(f"median_ms {statistics.median(times):.1f}")
    print(f"memory peak_rss_mib {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")


if __name__ == "__main__":
    main()
