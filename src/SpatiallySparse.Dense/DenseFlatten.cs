using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Dense;

/// <summary>
/// Flattens a dense map to B x (C x volume), channel-major per sample (index c * volume + site), the same
/// layout as <see cref="SparseToDense"/>, so a following <see cref="Linear"/> layer's weights copy across.
/// </summary>
public sealed class DenseFlatten : Module<DenseFeatureMap, DenseTensor>
{
    /// <summary>Flattens <paramref name="input"/>.</summary>
    protected override DenseTensor ForwardCore(DenseFeatureMap input, Tape tape)
    {
        ISparseBackend be = input.Backend;
        int batch = input.BatchSize, c = input.Channels, volume = (int)input.SpatialSize.Volume;
        FeatureMatrix values = be.AllocateForOverwrite(batch, c * volume);
        Transpose(DenseKernels.Host(input.Features), batch, volume, c, DenseKernels.Host(values), toChannelMajor: true);
        DenseTensor y = tape.Own(DenseTensor.Create(values));
        tape.Record(() =>
        {
            if (y.Grad is null || !input.NeedsGradient)
                return;
            FeatureMatrix back = tape.Own(be.AllocateForOverwrite(input.Features.Rows, c));
            Transpose(DenseKernels.Host(y.Grad), batch, volume, c, DenseKernels.Host(back), toChannelMajor: false);
            be.Add(back, input.GradOrCreate());
        });
        return y;
    }

    private static void Transpose(float[] source, int batch, int volume, int channels, float[] destination, bool toChannelMajor)
    {
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < volume; s++)
                for (int ch = 0; ch < channels; ch++)
                {
                    int siteMajor = (b * volume + s) * channels + ch, channelMajor = b * volume * channels + ch * volume + s;
                    if (toChannelMajor)
                        destination[channelMajor] = source[siteMajor];
                    else
                        destination[siteMajor] = source[channelMajor];
                }
    }

    /// <summary><c>DenseFlatten</c>.</summary>
    public override string ToString() => "DenseFlatten";
}
