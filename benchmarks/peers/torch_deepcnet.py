"""Dense DeepCNet(5, 60) training step in PyTorch (cuDNN), the peer of SpatiallySparse's GPU backend.

Same network as SpatiallySparse.Networks.DeepCNet.Create(L=5, K=60): 3x3 valid convolution with 60 filters, then
2x2 convolutions with n * 60 filters (n = 2..6), ReLU, 2x2 max pooling after the first five, a linear softmax
layer. Batch 100 of 96 x 96 inputs with ~150 active pixels near the centre, SGD with momentum 0.9.
Prints the median step time for fp32 and for TF32 with channels-last tensors.
Usage: python3 torch_deepcnet.py [--steps 30]
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def deepcnet(l: int = 5, k: int = 60, classes: int = 10) -> nn.Sequential:
    layers: list[nn.Module] = []
    channels = 1
    for n in range(1, l + 2):
        width = n * k
        layers += [nn.Conv2d(channels, width, 3 if n == 1 else 2), nn.ReLU(inplace=True)]
        if n <= l:
            layers.append(nn.MaxPool2d(2))
        channels = width
    layers += [nn.Flatten(), nn.Linear(channels, classes)]
    return nn.Sequential(*layers)


def synthetic_batch(batch: int, side: int, pixels: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Random walks of ~`pixels` distinct pixels within the central 28 x 28 square, like SpatiallySparse.GpuCheck."""
    g = torch.Generator().manual_seed(seed)
    x = torch.zeros(batch, 1, side, side)
    lo, hi = side // 2 - 14, side // 2 + 13
    for b in range(batch):
        i = j = side // 2
        seen = set()
        for _ in range(20 * pixels):
            if len(seen) >= pixels:
                break
            i = min(max(i + int(torch.randint(-1, 2, (1,), generator=g)), lo), hi)
            j = min(max(j + int(torch.randint(-1, 2, (1,), generator=g)), lo), hi)
            if (i, j) not in seen:
                seen.add((i, j))
                x[b, 0, i, j] = 0.5 + 0.5 * float(torch.rand(1, generator=g))
    y = torch.arange(batch) % 10
    return x, y


def bench(mode: str, steps: int) -> float:
    tf32 = mode == "tf32_channels_last"
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.manual_seed(1)
    net = deepcnet().cuda()
    x, y = synthetic_batch(100, 96, 150, 10)
    x, y = x.cuda(), y.cuda()
    if tf32:
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(net.parameters(), lr=0.003, momentum=0.9)

    def step() -> None:
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()

    for _ in range(10):
        step()
    torch.cuda.synchronize()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        print("TORCH no CUDA device")
        return
    print(f"torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}, {torch.cuda.get_device_name(0)}")
    for mode in ("fp32", "tf32_channels_last"):
        print(f"TORCH deepcnet_{mode}_ms {bench(mode, args.steps):.2f}")


if __name__ == "__main__":
    main()
