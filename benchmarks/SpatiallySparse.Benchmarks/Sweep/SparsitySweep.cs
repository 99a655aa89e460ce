using System.Diagnostics;
using System.Globalization;
using System.Text;
using ScottPlot;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Benchmarks.Support;
using SpatiallySparse.Dense;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Benchmarks.Sweep;

/// <summary>
/// The <c>sweep</c> command: one valid 3x3 convolution, 32 -> 32 channels, batch 4 on 96 x 96, at active fractions
/// from 0.5% to 100% (uniformly random sites, or discs of radius 4), sparse against the library's dense
/// convolution on the same grid. The sparse time is input layer + rulebook build + forward + backward (weights and
/// input); the dense time is forward + backward (weights and input) of <see cref="DenseConvolution"/> on a grid
/// already dense. The two are timed alternately, <c>--repeats</c> times per fraction, and medians compared.
/// Writes <c>sparsity-sweep.csv</c> and <c>sparsity-sweep.png</c> into <c>--out</c> (default docs/img) and prints
/// the Markdown table. Usage: <c>sweep [--repeats 7] [--out docs/img]</c>.
/// </summary>
public static class SparsitySweep
{
    private const int Side = 96, Batch = 4, Channels = 32;

    private static readonly double[] Fractions = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0];

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        CommandOptions options = new(args, "repeats", "out");
        int repeats = options.Int("repeats", 7);
        string output = options.Text("out", Path.Combine("docs", "img"));
        using CpuBackend backend = new();
        SpatialSize size = SpatialSize.Cube(2, Side);
        Convolution sparse = new(2, Channels, Channels, 3, seed: 1);
        DenseConvolution dense = new(2, Channels, Channels, 3, seed: 1);
        sparse.To(backend);
        dense.To(backend);
        Console.WriteLine($"# valid 3x3 convolution {Channels} -> {Channels}, batch {Batch}, {Side} x {Side}; {backend.Name}; {repeats} alternating repeats per point; medians in ms");
        List<Row> rows = [];
        foreach (string pattern in new[] { "random", "blobs" })
            foreach (double fraction in Fractions)
            {
                SparseInput input = Sites(pattern, fraction, new Random(7));
                List<double> s = [], d = [];
                int pairs = 0;
                for (int r = 0; r <= repeats; r++)
                {
                    (double sparseMs, int p) = TimeSparse(sparse, input, size, backend);
                    double denseMs = TimeDense(dense, input, size, backend);
                    if (r == 0)
                        continue; // first round: JIT and pool warm-up
                    s.Add(sparseMs);
                    d.Add(denseMs);
                    pairs = p;
                }
                Row row = new(pattern, fraction, input.PointCount, pairs, Networks.StepTimer.Median(s), Networks.StepTimer.Median(d));
                rows.Add(row);
                Console.WriteLine(FormattableString.Invariant($"{pattern} {100 * fraction:0.0}% sites {row.Sites} pairs {row.Pairs} sparse_ms {row.SparseMs:0.00} dense_ms {row.DenseMs:0.00} dense/sparse {row.DenseMs / row.SparseMs:0.00}"));
            }
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "sparsity-sweep.csv"), Csv(rows));
        Plot(rows, Path.Combine(output, "sparsity-sweep.png"));
        Console.WriteLine();
        Console.WriteLine(Markdown(rows));
        foreach (string pattern in new[] { "random", "blobs" })
            Console.WriteLine($"{pattern}: {Crossover(rows.Where(r => r.Pattern == pattern).ToList())}");
        return 0;
    }

    private static (double Ms, int Pairs) TimeSparse(Convolution layer, SparseInput input, SpatialSize size, ISparseBackend backend)
    {
        long start = Stopwatch.GetTimestamp();
        using Tape tape = new();
        SparseTensor x = new InputLayer(size).Forward(input, backend, tape);
        SparseTensor y = layer.Forward(x, tape);
        Fill(y.GradOrCreate());
        tape.Backward();
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        return (ms, x.Metadata.GetConvolutionRules(size, layer.FilterSize, layer.Stride).Rules.PairCount);
    }

    private static double TimeDense(DenseConvolution layer, SparseInput input, SpatialSize size, ISparseBackend backend)
    {
        using Tape tape = new();
        using DenseFeatureMap grid = DenseFeatureMap.FromSparseInput(input, size, backend);
        DenseFeatureMap x = tape.Own(new DenseFeatureMap(backend.Allocate(grid.Features.Rows, grid.Features.Columns), Batch, size, requiresGradient: true));
        backend.Copy(grid.Features, x.Features);
        long start = Stopwatch.GetTimestamp();
        DenseFeatureMap y = layer.Forward(x, tape);
        Fill(y.GradOrCreate());
        tape.Backward();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static void Fill(FeatureMatrix m) => ((CpuMatrix)m).Span.Fill(1f / m.Rows);

    /// <summary>Batch of <see cref="Batch"/> samples with round(fraction · 96²) active sites each, 32 random features per site.</summary>
    private static SparseInput Sites(string pattern, double fraction, Random random)
    {
        int total = Side * Side, target = Math.Max(1, (int)Math.Round(fraction * total));
        SparseInput input = new(Batch, 2, Channels);
        float[] f = new float[Channels];
        for (int b = 0; b < Batch; b++)
        {
            List<int> chosen = pattern == "random" ? RandomSites(total, target, random) : BlobSites(target, random);
            foreach (int site in chosen)
            {
                for (int c = 0; c < Channels; c++)
                    f[c] = random.NextSingle() - 0.5f;
                input.Add(b, [site / Side, site % Side], f);
            }
        }
        return input;
    }

    private static List<int> RandomSites(int total, int target, Random random)
    {
        int[] all = [.. Enumerable.Range(0, total)];
        random.Shuffle(all);
        return [.. all.Take(target)];
    }

    /// <summary>Union of discs of radius 4 at random centres, filled until exactly <paramref name="target"/> sites.</summary>
    private static List<int> BlobSites(int target, Random random)
    {
        const int Radius = 4;
        HashSet<int> set = [];
        List<int> order = [];
        while (order.Count < target)
        {
            int cy = random.Next(Side), cx = random.Next(Side);
            for (int dy = -Radius; dy <= Radius && order.Count < target; dy++)
                for (int dx = -Radius; dx <= Radius && order.Count < target; dx++)
                {
                    int y = cy + dy, x = cx + dx;
                    if (dy * dy + dx * dx <= Radius * Radius && y is >= 0 and < Side && x is >= 0 and < Side && set.Add(y * Side + x))
                        order.Add(y * Side + x);
                }
        }
        return order;
    }

    private static string Crossover(List<Row> rows)
    {
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].SparseMs < rows[i].DenseMs)
                continue;
            if (i == 0)
                return "sparse is slower than dense at every fraction measured";
            // Interpolate the ratio dense/sparse = 1 linearly in log(fraction) between the two points.
            double a = Math.Log(rows[i - 1].Fraction), b = Math.Log(rows[i].Fraction);
            double ra = Math.Log(rows[i - 1].DenseMs / rows[i - 1].SparseMs), rb = Math.Log(rows[i].DenseMs / rows[i].SparseMs);
            double at = Math.Exp(a + (b - a) * ra / (ra - rb));
            return FormattableString.Invariant($"sparse stops winning at about {100 * at:0.#}% active (between {100 * rows[i - 1].Fraction:0.#}% and {100 * rows[i].Fraction:0.#}%)");
        }
        return "sparse is faster than dense at every fraction measured, 100% included";
    }

    private static string Csv(List<Row> rows)
    {
        StringBuilder csv = new("pattern,active_fraction,active_sites,pairs,sparse_ms,dense_ms,dense_over_sparse\n");
        foreach (Row r in rows)
            csv.Append(CultureInfo.InvariantCulture, $"{r.Pattern},{r.Fraction},{r.Sites},{r.Pairs},{r.SparseMs:0.000},{r.DenseMs:0.000},{r.DenseMs / r.SparseMs:0.000}\n");
        return csv.ToString();
    }

    private static string Markdown(List<Row> rows)
    {
        StringBuilder md = new("| active sites (4 samples) | fraction | pairs (random) | random: sparse ms | random: dense ms | random: dense/sparse | pairs (blobs) | blobs: sparse ms | blobs: dense ms | blobs: dense/sparse |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (Row r in rows.Where(r => r.Pattern == "random"))
        {
            Row b = rows.Single(x => x.Pattern == "blobs" && x.Fraction == r.Fraction);
            md.Append(CultureInfo.InvariantCulture,
                $"| {r.Sites:N0} | {100 * r.Fraction:0.#}% | {r.Pairs:N0} | {r.SparseMs:0.00} | {r.DenseMs:0.00} | {r.DenseMs / r.SparseMs:0.00}x | {b.Pairs:N0} | {b.SparseMs:0.00} | {b.DenseMs:0.00} | {b.DenseMs / b.SparseMs:0.00}x |\n");
        }
        return md.ToString();
    }

    private static void Plot(List<Row> rows, string path)
    {
        Plot plot = new();
        foreach (string pattern in new[] { "random", "blobs" })
        {
            Row[] r = [.. rows.Where(x => x.Pattern == pattern)];
            double[] x = [.. r.Select(v => Math.Log10(100 * v.Fraction))];
            ScottPlot.Plottables.Scatter s = plot.Add.Scatter(x, r.Select(v => v.SparseMs).ToArray());
            s.LegendText = $"sparse ({pattern} sites), incl. rulebook";
            ScottPlot.Plottables.Scatter d = plot.Add.Scatter(x, r.Select(v => v.DenseMs).ToArray());
            d.LegendText = $"dense (timed beside {pattern})";
            d.LinePattern = LinePattern.Dashed;
        }
        Tick[] ticks = [.. Fractions.Select(f => new Tick(Math.Log10(100 * f), (100 * f).ToString("0.#", CultureInfo.InvariantCulture) + "%"))];
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        plot.Title($"Valid 3x3 convolution {Channels}->{Channels}, batch {Batch}, {Side}x{Side}: forward + backward");
        plot.XLabel("active sites (fraction of the grid, log scale)");
        plot.YLabel("median ms");
        plot.ShowLegend(Alignment.MiddleLeft);
        plot.SavePng(path, 800, 500);
    }

    private sealed record Row(string Pattern, double Fraction, int Sites, int Pairs, double SparseMs, double DenseMs);
}
