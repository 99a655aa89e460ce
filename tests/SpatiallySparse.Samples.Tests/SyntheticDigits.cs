using MnistDeepCNet;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Networks;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Samples.Tests;

/// <summary>A tiny MNIST stand-in: three classes of 28 x 28 strokes (horizontal bar, vertical bar, box) at random places.</summary>
internal static class SyntheticDigits
{
    public static MnistSplit Split(int count, int seed)
    {
        Random random = new(seed);
        byte[] labels = new byte[count];
        byte[] pixels = new byte[count * 28 * 28];
        for (int i = 0; i < count; i++)
        {
            labels[i] = (byte)(i % 3);
            int oy = random.Next(-4, 5), ox = random.Next(-4, 5);
            for (int r = 8; r < 20; r++)
                for (int c = 8; c < 20; c++)
                {
                    bool ink = labels[i] switch
                    {
                        0 => r is 13 or 14,
                        1 => c is 13 or 14,
                        _ => r is 8 or 19 || c is 8 or 19,
                    };
                    if (ink)
                        pixels[i * 784 + (r + oy) * 28 + c + ox] = (byte)random.Next(128, 256);
                }
        }
        return new MnistSplit(new IdxImages(count, 28, 28, pixels), labels);
    }

    public static MnistTrainable Model(bool dense, MnistSplit train, MnistSplit test, float lr = 0.05f, int k = 4, float dropout = 0.3f, bool nesterov = false) =>
        new(dense, new DeepCNetOptions { L = 4, K = k, Slope = 1f / 3, Seed = 5, DropoutRates = dropout > 0 ? DeepCNet.RampDropout(4, dropout) : null },
            train, test, new DigitRasterizer(48), new CpuBackend(2), LearningRateSchedule.Exponential(lr, 1e-3), momentum: 0.9f, nesterov);
}
