using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Backends.Cpu.Simd;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Layers;

/// <summary>
/// Submanifold, strided and transposed convolutions against plain reference loops that enumerate the
/// (tap, input site, output site) pairs from coordinates by brute force, never through a rulebook; forward,
/// backward, 2D and 3D, odd channel counts, scalar and SIMD kernels, one and several threads.
/// </summary>
[TestFixture]
public sealed class ConvolutionReferenceTests
{
    public enum Kind { Submanifold, Strided, Deconvolution }

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (Kind kind in Enum.GetValues<Kind>())
            foreach ((int dim, int side) in new[] { (2, 11), (3, 7) })
                foreach ((int cin, int cout) in new[] { (3, 5), (17, 33) })
                    yield return new TestCaseData(kind, dim, side, cin, cout);
    }

    [TestCaseSource(nameof(Cases))]
    public void MatchesReferenceOnEveryKernelPath(Kind kind, int dim, int side, int cin, int cout)
    {
        float[]? firstBits = null;
        foreach ((int threads, SimdLevel simd) in new[] { (1, SimdLevel.Scalar), (1, SimdLevels.Best), (3, SimdLevels.Best) })
        {
            Result r = Run(kind, dim, side, cin, cout, new CpuBackend(threads, simd));
            AssertClose(r.Output, r.Expected.Output, $"{kind} output, {threads} threads, {simd}");
            AssertClose(r.WeightGrad, r.Expected.WeightGrad, $"{kind} weight gradient, {threads} threads, {simd}");
            AssertClose(r.BiasGrad, r.Expected.BiasGrad, $"{kind} bias gradient, {threads} threads, {simd}");
            AssertClose(r.InputGrad, r.Expected.InputGrad, $"{kind} input gradient, {threads} threads, {simd}");
            if (simd == SimdLevels.Best)
            {
                float[] bits = [.. r.Output, .. r.WeightGrad, .. r.InputGrad];
                if (firstBits is null)
                    firstBits = bits;
                else
                    Assert.That(bits, Is.EqualTo(firstBits), "results must be bit-identical whatever the thread count");
            }
        }
    }

    private sealed record Expected(float[] Output, float[] WeightGrad, float[] BiasGrad, float[] InputGrad);

    private sealed record Result(float[] Output, float[] WeightGrad, float[] BiasGrad, float[] InputGrad, Expected Expected);

    private static Result Run(Kind kind, int dim, int side, int cin, int cout, CpuBackend backend)
    {
        Random random = new(dim * 100 + cin);
        SpatialSize size = SpatialSize.Cube(dim, side);
        SparseInput input = new(2, dim, cin) { RequiresGradient = true };
        List<(int Sample, int[] Coordinate, float[] Features)> points = [];
        for (int b = 0; b < 2; b++)
            for (long site = 0; site < size.Volume; site++)
                if (site == 0 || random.NextDouble() < 0.12)
                {
                    int[] c = new int[dim];
                    size.Coordinate(site, c);
                    float[] features = RandomArray(random, cin);
                    points.Add((b, c, features));
                    input.Add(b, c, features);
                }
        (int f, int s) = kind switch { Kind.Submanifold => (3, 1), Kind.Strided => (3, 2), _ => (2, 2) };
        SparseModule layer = kind switch
        {
            Kind.Submanifold => new SubmanifoldConvolution(dim, cin, cout, f, seed: 3),
            Kind.Strided => new Convolution(dim, cin, cout, f, s, seed: 3),
            _ => new Deconvolution(dim, cin, cout, f, s, seed: 3),
        };
        Parameter weight = layer.NamedParameters().Single(p => p.Name == "weight").Parameter;
        Parameter bias = layer.NamedParameters().Single(p => p.Name == "bias").Parameter;
        bias.SetValues(RandomArray(random, cout));

        using Tape tape = new();
        SparseTensor y = layer.Forward(new InputLayer(size).Forward(input, backend, tape), tape);
        float[] seed = RandomArray(new Random(5), y.ActiveCount * cout);
        backend.Upload(seed, y.GradOrCreate());
        tape.Backward();

        Dictionary<(int, long), int> outRow = [];
        for (int r = 0; r < y.ActiveCount; r++)
            outRow[(y.Grid.SampleOfRow[r], y.Grid.LinearIndexOfRow[r])] = r;
        Expected expected = Reference(kind, size, y.SpatialSize, f, s, points, weight.GetValues(), bias.GetValues(), cin, cout, outRow, seed);
        return new Result(y.GetFeatures(), weight.Grad.ToArray(), bias.Grad.ToArray(), input.FeatureGradient!, expected);
    }

    /// <summary>Brute force over coordinates: every (tap, input point, output site) pair and its arithmetic.</summary>
    private static Expected Reference(Kind kind, SpatialSize inSize, SpatialSize outSize, int f, int s,
        List<(int Sample, int[] Coordinate, float[] Features)> points, float[] w, float[] bias, int cin, int cout,
        Dictionary<(int, long), int> outRow, float[] dy)
    {
        int dim = inSize.Dimension, taps = (int)Math.Pow(f, dim);
        SpatialSize filter = SpatialSize.Cube(dim, f);
        List<(int Tap, int Point, int Sample, long OutSite)> pairs = [];
        HashSet<(int, long)> active = [.. points.Select(p => (p.Sample, inSize.LinearIndex(p.Coordinate)))];
        int[] t = new int[dim], o = new int[dim];
        for (int tap = 0; tap < taps; tap++)
        {
            filter.Coordinate(tap, t);
            for (int i = 0; i < points.Count; i++)
            {
                int[] x = points[i].Coordinate;
                bool ok = true;
                for (int d = 0; d < dim; d++)
                {
                    // Submanifold: out = x - (t - centre). Strided: x = o*s + t. Deconvolution: out = x*s + t.
                    int od = kind switch { Kind.Submanifold => x[d] - (t[d] - f / 2), Kind.Strided => x[d] - t[d], _ => x[d] * s + t[d] };
                    if (kind == Kind.Strided)
                    {
                        ok &= od >= 0 && od % s == 0;
                        od /= s;
                    }
                    ok &= od >= 0 && od < outSize[d];
                    o[d] = od;
                }
                if (ok && (kind != Kind.Submanifold || active.Contains((points[i].Sample, outSize.LinearIndex(o)))))
                    pairs.Add((tap, i, points[i].Sample, outSize.LinearIndex(o)));
            }
        }
        Assert.That(pairs.Select(p => (p.Sample, p.OutSite)).Distinct().Count(), Is.EqualTo(outRow.Count), "active output set");
        double[] y = new double[outRow.Count * cout], dw = new double[w.Length], db = new double[cout], dx = new double[points.Count * cin];
        for (int r = 0; r < outRow.Count; r++)
            for (int j = 0; j < cout; j++)
            {
                y[r * cout + j] = bias[j];
                db[j] += dy[r * cout + j];
            }
        foreach ((int tap, int i, int sample, long site) in pairs)
        {
            int r = outRow[(sample, site)];
            for (int c = 0; c < cin; c++)
                for (int j = 0; j < cout; j++)
                {
                    int wi = (tap * cin + c) * cout + j;
                    y[r * cout + j] += points[i].Features[c] * w[wi];
                    dw[wi] += points[i].Features[c] * dy[r * cout + j];
                    dx[i * cin + c] += w[wi] * dy[r * cout + j];
                }
        }
        return new Expected(ToFloat(y), ToFloat(dw), ToFloat(db), ToFloat(dx));
    }

    private static float[] RandomArray(Random random, int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    private static float[] ToFloat(double[] a) => a.Select(v => (float)v).ToArray();

    private static void AssertClose(float[] actual, float[] expected, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
            if (Math.Abs(actual[i] - expected[i]) > 1e-4f * Math.Max(1f, Math.Abs(expected[i])))
                Assert.Fail($"{what}[{i}]: {actual[i]} vs reference {expected[i]}");
    }
}
