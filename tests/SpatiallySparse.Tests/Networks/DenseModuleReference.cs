using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Networks;

/// <summary>
/// A plain dense evaluation of a module tree in double, written from the layers' definitions (not their code): every
/// site of the grid is a row, submanifold convolutions are zero-padded "same" convolutions, batch norm takes its
/// statistics over every site, skip connections add or concatenate whole grids. On a fully active input the sparse
/// network must compute exactly this (up to float rounding).
/// </summary>
internal static class DenseModuleReference
{
    /// <summary>A dense batch: rows batch x volume (row-major sites), <see cref="Channels"/> values each.</summary>
    public sealed record Grid(SpatialSize Size, int Batch, int Channels, double[] Values)
    {
        public int Rows => Batch * (int)Size.Volume;
    }

    public static Grid Run(Module m, Grid x) => m switch
    {
        Sequential chain => chain.Children.Aggregate(x, (g, child) => Run(child, g)),
        Identity => x,
        Residual r => Add(r.Shortcut is null ? x : Run(r.Shortcut, x), Run(r.Inner, x)),
        ConcatenateBranches c => Concatenate([.. c.Children.Select(b => Run(b, x))]),
        SubmanifoldConvolution s => Convolve(x, s, s.FilterSize[0], 1, (s.FilterSize[0] - 1) / 2, x.Size),
        Convolution v => Convolve(x, v, v.FilterSize[0], v.Stride[0], 0, v.OutputSpatialSize(x.Size)),
        Deconvolution d => Deconvolve(x, d),
        BatchNormalization bn => Normalize(x, bn),
        LeakyRelu relu => Map(x, v => v > 0 ? v : relu.Slope * v),
        NetworkInNetwork nin => Linear(x, nin),
        _ => throw new NotSupportedException(m.GetType().Name),
    };

    private static Grid Add(Grid a, Grid b) => a with { Values = [.. a.Values.Zip(b.Values, (p, q) => p + q)] };

    private static Grid Concatenate(Grid[] parts)
    {
        int channels = parts.Sum(p => p.Channels);
        double[] y = new double[parts[0].Rows * channels];
        for (int r = 0; r < parts[0].Rows; r++)
        {
            int column = 0;
            foreach (Grid p in parts)
            {
                Array.Copy(p.Values, r * p.Channels, y, r * channels + column, p.Channels);
                column += p.Channels;
            }
        }
        return parts[0] with { Channels = channels, Values = y };
    }

    private static Grid Map(Grid x, Func<double, double> f) => x with { Values = [.. x.Values.Select(f)] };

    private static Grid Linear(Grid x, NetworkInNetwork nin)
    {
        float[] w = nin.Weight.GetValues();
        float[]? b = nin.Bias?.GetValues();
        int cout = nin.OutputChannels;
        double[] y = new double[x.Rows * cout];
        for (int r = 0; r < x.Rows; r++)
            for (int j = 0; j < cout; j++)
            {
                double s = b?[j] ?? 0;
                for (int c = 0; c < x.Channels; c++)
                    s += x.Values[r * x.Channels + c] * w[c * cout + j];
                y[r * cout + j] = s;
            }
        return x with { Channels = cout, Values = y };
    }

    private static Grid Normalize(Grid x, BatchNormalization bn)
    {
        float[] gamma = bn.Weight.GetValues(), beta = bn.Bias.GetValues();
        double[] y = new double[x.Values.Length];
        for (int c = 0; c < x.Channels; c++)
        {
            double mean = 0, variance = 0;
            for (int r = 0; r < x.Rows; r++)
                mean += x.Values[r * x.Channels + c];
            mean /= x.Rows;
            for (int r = 0; r < x.Rows; r++)
                variance += Math.Pow(x.Values[r * x.Channels + c] - mean, 2);
            variance /= x.Rows;
            for (int r = 0; r < x.Rows; r++)
                y[r * x.Channels + c] = (x.Values[r * x.Channels + c] - mean) / Math.Sqrt(variance + bn.Epsilon) * gamma[c] + beta[c];
        }
        return x with { Values = y };
    }

    /// <summary>out[o] = b + sum over taps t and in-grid inputs i = o s + t - pad of x[i] W_t.</summary>
    private static Grid Convolve(Grid x, ConvolutionLayer layer, int f, int stride, int pad, SpatialSize outSize)
    {
        float[] w = layer.Weight.GetValues();
        float[]? bias = layer.Bias?.GetValues();
        int cin = x.Channels, cout = layer.OutputChannels, dim = x.Size.Dimension, taps = (int)layer.FilterSize.Volume;
        int outVolume = (int)outSize.Volume, inVolume = (int)x.Size.Volume;
        double[] y = new double[x.Batch * outVolume * cout];
        int[] oc = new int[dim], tc = new int[dim], ic = new int[dim];
        for (int b = 0; b < x.Batch; b++)
            for (int o = 0; o < outVolume; o++)
            {
                outSize.Coordinate(o, oc);
                int row = b * outVolume + o;
                for (int j = 0; j < cout; j++)
                    y[row * cout + j] = bias?[j] ?? 0;
                for (int t = 0; t < taps; t++)
                {
                    layer.FilterSize.Coordinate(t, tc);
                    for (int d = 0; d < dim; d++)
                        ic[d] = oc[d] * stride + tc[d] - pad;
                    if (!x.Size.Contains(ic))
                        continue;
                    int inRow = b * inVolume + (int)x.Size.LinearIndex(ic);
                    for (int c = 0; c < cin; c++)
                        for (int j = 0; j < cout; j++)
                            y[row * cout + j] += x.Values[inRow * cin + c] * w[(t * cin + c) * cout + j];
                }
            }
        return new Grid(outSize, x.Batch, cout, y);
    }

    /// <summary>out[i s + t] += x[i] W_t for every input site i and tap t, plus the bias everywhere.</summary>
    private static Grid Deconvolve(Grid x, Deconvolution layer)
    {
        float[] w = layer.Weight.GetValues();
        float[]? bias = layer.Bias?.GetValues();
        SpatialSize outSize = layer.OutputSpatialSize(x.Size);
        int cin = x.Channels, cout = layer.OutputChannels, dim = x.Size.Dimension, taps = (int)layer.FilterSize.Volume;
        int outVolume = (int)outSize.Volume, inVolume = (int)x.Size.Volume;
        double[] y = new double[x.Batch * outVolume * cout];
        for (int r = 0; r < x.Batch * outVolume; r++)
            for (int j = 0; j < cout; j++)
                y[r * cout + j] = bias?[j] ?? 0;
        int[] oc = new int[dim], tc = new int[dim], ic = new int[dim];
        for (int b = 0; b < x.Batch; b++)
            for (int i = 0; i < inVolume; i++)
            {
                x.Size.Coordinate(i, ic);
                for (int t = 0; t < taps; t++)
                {
                    layer.FilterSize.Coordinate(t, tc);
                    for (int d = 0; d < dim; d++)
                        oc[d] = ic[d] * layer.Stride[d] + tc[d];
                    int row = b * outVolume + (int)outSize.LinearIndex(oc);
                    for (int c = 0; c < cin; c++)
                        for (int j = 0; j < cout; j++)
                            y[row * cout + j] += x.Values[(b * inVolume + i) * cin + c] * w[(t * cin + c) * cout + j];
                }
            }
        return new Grid(outSize, x.Batch, cout, y);
    }
}
