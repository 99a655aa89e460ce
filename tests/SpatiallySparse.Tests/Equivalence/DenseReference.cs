namespace SpatiallySparse.Tests.Equivalence;

/// <summary>
/// A plain dense reference, in double, written independently of the library's kernels: a dense batch is
/// <c>double[batch][channel][site]</c> over a <see cref="SpatialSize"/>, sites in row-major order.
/// Forward and backward of valid/strided convolution, max pooling and leaky ReLU, by direct loops.
/// </summary>
internal static class DenseReference
{
    public static SpatialSize OutputSize(SpatialSize input, int f, int s)
    {
        int[] o = new int[input.Dimension];
        for (int d = 0; d < o.Length; d++)
            o[d] = (input[d] - f) / s + 1;
        return new SpatialSize(o);
    }

    /// <summary>Input site of output site <paramref name="o"/> through filter offset <paramref name="tap"/>.</summary>
    public static long InputSite(SpatialSize inSize, SpatialSize outSize, long o, int tap, int f, int s)
    {
        int dim = inSize.Dimension;
        int[] oc = new int[dim], tc = new int[dim], ic = new int[dim];
        outSize.Coordinate(o, oc);
        SpatialSize.Cube(dim, f).Coordinate(tap, tc);
        for (int d = 0; d < dim; d++)
            ic[d] = oc[d] * s + tc[d];
        return inSize.LinearIndex(ic);
    }

    /// <summary>weights[(tap * cin + i) * cout + j], as the library stores them.</summary>
    public static double[][][] Convolution(double[][][] x, SpatialSize inSize, float[] weights, float[]? bias, int cout, int f, int s, out SpatialSize outSize)
    {
        outSize = OutputSize(inSize, f, s);
        int cin = x[0].Length, taps = (int)Math.Pow(f, inSize.Dimension);
        double[][][] y = New(x.Length, cout, outSize.Volume);
        for (int b = 0; b < x.Length; b++)
            for (long o = 0; o < outSize.Volume; o++)
                for (int j = 0; j < cout; j++)
                {
                    double sum = bias?[j] ?? 0;
                    for (int t = 0; t < taps; t++)
                    {
                        long i = InputSite(inSize, outSize, o, t, f, s);
                        for (int c = 0; c < cin; c++)
                            sum += x[b][c][i] * weights[(t * cin + c) * cout + j];
                    }
                    y[b][j][o] = sum;
                }
        return y;
    }

    /// <summary>Returns dX; adds to dW and dB.</summary>
    public static double[][][] ConvolutionBackward(double[][][] x, SpatialSize inSize, float[] weights, double[][][] dy, SpatialSize outSize,
        int f, int s, double[] dW, double[] dB)
    {
        int cin = x[0].Length, cout = dy[0].Length, taps = (int)Math.Pow(f, inSize.Dimension);
        double[][][] dx = New(x.Length, cin, inSize.Volume);
        for (int b = 0; b < x.Length; b++)
            for (long o = 0; o < outSize.Volume; o++)
                for (int j = 0; j < cout; j++)
                {
                    double g = dy[b][j][o];
                    dB[j] += g;
                    for (int t = 0; t < taps; t++)
                    {
                        long i = InputSite(inSize, outSize, o, t, f, s);
                        for (int c = 0; c < cin; c++)
                        {
                            dW[(t * cin + c) * cout + j] += x[b][c][i] * g;
                            dx[b][c][i] += weights[(t * cin + c) * cout + j] * g;
                        }
                    }
                }
        return dx;
    }

    public static double[][][] MaxPool(double[][][] x, SpatialSize inSize, int f, int s, out SpatialSize outSize)
    {
        outSize = OutputSize(inSize, f, s);
        int taps = (int)Math.Pow(f, inSize.Dimension);
        double[][][] y = New(x.Length, x[0].Length, outSize.Volume);
        for (int b = 0; b < x.Length; b++)
            for (int c = 0; c < x[0].Length; c++)
                for (long o = 0; o < outSize.Volume; o++)
                {
                    double m = double.NegativeInfinity;
                    for (int t = 0; t < taps; t++)
                        m = Math.Max(m, x[b][c][InputSite(inSize, outSize, o, t, f, s)]);
                    y[b][c][o] = m;
                }
        return y;
    }

    /// <summary>Routes each gradient to the first maximal site of the window.</summary>
    public static double[][][] MaxPoolBackward(double[][][] x, SpatialSize inSize, double[][][] y, double[][][] dy, SpatialSize outSize, int f, int s)
    {
        int taps = (int)Math.Pow(f, inSize.Dimension);
        double[][][] dx = New(x.Length, x[0].Length, inSize.Volume);
        for (int b = 0; b < x.Length; b++)
            for (int c = 0; c < x[0].Length; c++)
                for (long o = 0; o < outSize.Volume; o++)
                    for (int t = 0; t < taps; t++)
                    {
                        long i = InputSite(inSize, outSize, o, t, f, s);
                        if (x[b][c][i] == y[b][c][o])
                        {
                            dx[b][c][i] += dy[b][c][o];
                            break;
                        }
                    }
        return dx;
    }

    public static double[][][] LeakyRelu(double[][][] x, double slope) =>
        Map(x, v => v > 0 ? v : slope * v);

    public static double[][][] LeakyReluBackward(double[][][] x, double[][][] dy, double slope)
    {
        double[][][] dx = New(x.Length, x[0].Length, x[0][0].Length);
        for (int b = 0; b < x.Length; b++)
            for (int c = 0; c < x[0].Length; c++)
                for (int i = 0; i < x[0][0].Length; i++)
                    dx[b][c][i] = x[b][c][i] > 0 ? dy[b][c][i] : slope * dy[b][c][i];
        return dx;
    }

    public static double[][][] New(int batch, int channels, long volume)
    {
        double[][][] a = new double[batch][][];
        for (int b = 0; b < batch; b++)
        {
            a[b] = new double[channels][];
            for (int c = 0; c < channels; c++)
                a[b][c] = new double[volume];
        }
        return a;
    }

    private static double[][][] Map(double[][][] x, Func<double, double> f)
    {
        double[][][] y = New(x.Length, x[0].Length, x[0][0].Length);
        for (int b = 0; b < x.Length; b++)
            for (int c = 0; c < x[0].Length; c++)
                for (int i = 0; i < x[0][0].Length; i++)
                    y[b][c][i] = f(x[b][c][i]);
        return y;
    }
}
