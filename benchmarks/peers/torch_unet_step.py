"""Dense 3D U-Net training step in PyTorch on the CPU: the peer of `SpatiallySparse.Benchmarks unet-step`.

The same network as SpatiallySparse.Networks.UNet.Create (SparseConvNet's U-Net, VGG blocks, concatenating join):
a 3x3x3 convolution to widths[0], per level `reps` blocks BN+ReLU+3x3x3 convolution, BN+ReLU+2x2x2 stride-2
convolution down, the next level, BN+ReLU+2x2x2 stride-2 transposed convolution up, concatenation with the skip,
`reps` blocks (the first from 2w channels), then BN+ReLU and a 1x1x1 convolution to the classes. Dense
convolutions run on every voxel of the grid; the loss is the per-voxel cross-entropy over the active voxels only
(the same loss as ours). Adam, torch.set_num_threads(all cores).

Prints one "step_ms" line per timed step, then "median_ms".
Usage: python3 torch_unet_step.py --scenes FILE [--widths 8,16,24,32,48] [--reps 1] [--steps 3] [--warmup 1] [--layout default|channels_last]
(channels_last_3d was slower here: torch 1.13 CPU, 64^3 batch 2, one step each under load: 25.4 s against 16.8 s)
"""
import os

import torch
import torch.nn as nn

import unet_scenes


def block(cin, cout):
    return nn.Sequential(nn.BatchNorm3d(cin), nn.ReLU(), nn.Conv3d(cin, cout, 3, padding=1, bias=False))


class Level(nn.Module):
    def __init__(self, widths, reps):
        super().__init__()
        w = widths[0]
        self.pre = nn.Sequential(*[block(w, w) for _ in range(reps)])
        self.down = None
        if len(widths) > 1:
            n = widths[1]
            self.down = nn.Sequential(nn.BatchNorm3d(w), nn.ReLU(), nn.Conv3d(w, n, 2, stride=2, bias=False),
                                      Level(widths[1:], reps), nn.BatchNorm3d(n), nn.ReLU(),
                                      nn.ConvTranspose3d(n, w, 2, stride=2, bias=False))
            self.post = nn.Sequential(*[block(2 * w if i == 0 else w, w) for i in range(reps)])

    def forward(self, x):
        x = self.pre(x)
        if self.down is None:
            return x
        return self.post(torch.cat([x, self.down(x)], 1))


def unet(features, widths, reps, classes):
    return nn.Sequential(nn.Conv3d(features, widths[0], 3, padding=1, bias=False), Level(widths, reps),
                         nn.BatchNorm3d(widths[0]), nn.ReLU(), nn.Conv3d(widths[0], classes, 1))


def main():
    p = unet_scenes.arguments(steps=3, warmup=1)
    p.add_argument("--layout", default="default", choices=["channels_last", "default"])
    a = p.parse_args()
    torch.set_num_threads(os.cpu_count())
    side, scenes, classes, coords, batch, labels, features = unet_scenes.read(a.scenes)
    widths = [int(w) for w in a.widths.split(",")]
    fmt = torch.channels_last_3d if a.layout == "channels_last" else torch.contiguous_format
    net = unet(features.shape[1], widths, a.reps, classes).to(memory_format=fmt)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    dense = torch.zeros(scenes, features.shape[1], side, side, side)
    dense[batch, :, coords[:, 0], coords[:, 1], coords[:, 2]] = features
    dense = dense.contiguous(memory_format=fmt)
    print(f"# torch dense U-Net {a.widths} x{a.reps} at {side}^3, batch {scenes}, {len(labels) / scenes:.0f} active voxels per scene; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, {a.layout}")

    def step():
        optimizer.zero_grad(set_to_none=True)
        logits = net(dense)
        active = logits[batch, :, coords[:, 0], coords[:, 1], coords[:, 2]]
        nn.functional.cross_entropy(active, labels).backward()
        optimizer.step()

    unet_scenes.time_steps(step, a.warmup, a.steps)


if __name__ == "__main__":
    main()
