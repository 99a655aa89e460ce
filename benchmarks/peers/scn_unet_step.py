"""SparseConvNet (facebookresearch/SparseConvNet, built from source for the CPU) training step of the same U-Net on
the same scenes as `SpatiallySparse.Benchmarks unet-step`: InputLayer (mode 4: averaged duplicates; there are
none), a 3x3x3 submanifold convolution to widths[0], scn.UNet(3, reps, widths, residual_blocks=False,
downsample=[2, 2]) (the builder ours copies), BatchNormReLU, OutputLayer, a linear layer to the classes. Adam.
The input layer is built every step, as ours is. Run with OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=1 and
PYTHONPATH pointing at the built checkout.

Prints one "step_ms" line per timed step, then "median_ms".
Usage: python3 scn_unet_step.py --scenes FILE [--widths 8,16,24,32,48] [--reps 1] [--steps 5] [--warmup 3]
"""
import sparseconvnet as scn
import torch
import torch.nn as nn

import unet_scenes


def main():
    a = unet_scenes.arguments(steps=5, warmup=3).parse_args()
    side, scenes, classes, coords, batch, labels, features = unet_scenes.read(a.scenes)
    widths = [int(w) for w in a.widths.split(",")]
    sparse = scn.Sequential().add(scn.InputLayer(3, torch.LongTensor([side] * 3), mode=4)).add(
        scn.SubmanifoldConvolution(3, features.shape[1], widths[0], 3, False)).add(
        scn.UNet(3, a.reps, widths, residual_blocks=False, downsample=[2, 2])).add(
        scn.BatchNormReLU(widths[0])).add(scn.OutputLayer(3))
    linear = nn.Linear(widths[0], classes)
    optimizer = torch.optim.Adam(list(sparse.parameters()) + list(linear.parameters()), lr=1e-3)
    locations = torch.cat([coords, batch[:, None]], 1)
    print(f"# SparseConvNet U-Net {a.widths} x{a.reps} at {side}^3, batch {scenes}, {len(labels) / scenes:.0f} active voxels per scene; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")

    def step():
        optimizer.zero_grad(set_to_none=True)
        logits = linear(sparse([locations, features, scenes]))
        nn.functional.cross_entropy(logits, labels).backward()
        optimizer.step()

    unet_scenes.time_steps(step, a.warmup, a.steps)


if __name__ == "__main__":
    main()
