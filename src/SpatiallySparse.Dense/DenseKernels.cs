using SpatiallySparse.Backends.Cpu;

namespace SpatiallySparse.Dense;

/// <summary>
/// Host loops of the dense path: im2col and its adjoint, and max pooling. Work is split by sample, so each
/// output element is written by one thread in a fixed order (bit-identical for any thread count).
/// </summary>
internal static class DenseKernels
{
    /// <summary>col[(b, o), t * c + ch] = x[(b, site(o, t)), ch], or 0 where the tap is in the padding.</summary>
    public static void Im2Col(float[] x, int batch, int inVolume, int channels, WindowTable table, float[] col, int threads)
    {
        int outVolume = (int)table.Output.Volume, taps = table.Taps, width = taps * channels;
        For(batch, threads, b =>
        {
            int[] sites = table.Sites;
            for (int o = 0; o < outVolume; o++)
            {
                Span<float> row = col.AsSpan((b * outVolume + o) * width, width);
                for (int t = 0; t < taps; t++)
                {
                    int site = sites[o * taps + t];
                    if (site < 0)
                        row.Slice(t * channels, channels).Clear();
                    else
                        x.AsSpan((b * inVolume + site) * channels, channels).CopyTo(row.Slice(t * channels, channels));
                }
            }
        });
    }

    /// <summary>Adjoint of <see cref="Im2Col"/>: gradX[(b, site(o, t)), ch] += gradCol[(b, o), t * c + ch].</summary>
    public static void Col2ImAdd(float[] gradCol, int batch, int inVolume, int channels, WindowTable table, float[] gradX, int threads)
    {
        int outVolume = (int)table.Output.Volume, taps = table.Taps, width = taps * channels;
        For(batch, threads, b =>
        {
            int[] sites = table.Sites;
            for (int o = 0; o < outVolume; o++)
                for (int t = 0; t < taps; t++)
                {
                    int site = sites[o * taps + t];
                    if (site < 0)
                        continue;
                    Span<float> dst = gradX.AsSpan((b * inVolume + site) * channels, channels);
                    ReadOnlySpan<float> src = gradCol.AsSpan((b * outVolume + o) * width + t * channels, channels);
                    System.Numerics.Tensors.TensorPrimitives.Add(dst, src, dst);
                }
        });
    }

    /// <summary>y = max over the window, per channel: the value of the window's winner (see <see cref="MaxPoolWinners"/>).</summary>
    public static void MaxPool(float[] x, int batch, int inVolume, int channels, WindowTable table, float[] y, int threads) =>
        MaxPoolWinners(x, batch, inVolume, channels, table, threads, y, gradY: null, gradX: null);

    /// <summary>
    /// gradX[winner] += gradY, per channel. The winner is found again from x by the forward's own rule rather
    /// than stored per step (as the sparse max pooling finds it again), so it is the forward's, ties and NaNs included.
    /// </summary>
    public static void MaxPoolBackward(float[] x, float[] gradY, int batch, int inVolume, int channels, WindowTable table, float[] gradX, int threads) =>
        MaxPoolWinners(x, batch, inVolume, channels, table, threads, y: null, gradY, gradX);

    /// <summary>
    /// For every window and channel, the winner: the first input in tap order holding the maximum. Writes its value
    /// to <paramref name="y"/> (forward), or adds the output's gradient to it (backward, <paramref name="gradX"/> given).
    /// Split by sample, so each gradX row gets its sums from one thread, in output order.
    /// </summary>
    private static void MaxPoolWinners(float[] x, int batch, int inVolume, int channels, WindowTable table, int threads,
        float[]? y, float[]? gradY, float[]? gradX)
    {
        int outVolume = (int)table.Output.Volume, taps = table.Taps;
        For(batch, threads, b =>
        {
            int[] sites = table.Sites;
            for (int o = 0; o < outVolume; o++)
            {
                int outRow = b * outVolume + o;
                for (int ch = 0; ch < channels; ch++)
                {
                    int best = b * inVolume + sites[o * taps];
                    for (int t = 1; t < taps; t++)
                    {
                        int row = b * inVolume + sites[o * taps + t];
                        if (x[row * channels + ch] > x[best * channels + ch])
                            best = row;
                    }
                    if (gradX is null)
                        y![outRow * channels + ch] = x[best * channels + ch];
                    else
                        gradX[best * channels + ch] += gradY![outRow * channels + ch];
                }
            }
        });
    }

    private static void For(int count, int threads, Action<int> body)
    {
        if (threads <= 1 || count == 1)
        {
            for (int i = 0; i < count; i++)
                body(i);
            return;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, body);
    }

    /// <summary>The host array behind a CPU matrix; the dense path runs on the CPU backend only.</summary>
    public static float[] Host(Backends.FeatureMatrix matrix) =>
        matrix is CpuMatrix m ? m.Data : throw new NotSupportedException($"The dense path runs on the CPU backend; {matrix} belongs to '{matrix.Backend.Name}'.");

    /// <summary>Worker threads of <paramref name="backend"/> (1 for a backend without that notion).</summary>
    public static int ThreadsOf(Backends.ISparseBackend backend) => backend is CpuBackend cpu ? cpu.Threads : 1;
}
