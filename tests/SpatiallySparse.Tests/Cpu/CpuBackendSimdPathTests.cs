using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Backends.Cpu.Simd;
using SpatiallySparse.Geometry;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Cpu;

/// <summary>The hand-vectorised element-wise ops give the scalar result at every length (every vector width and remainder).</summary>
[TestFixture]
public sealed class CpuBackendSimdPathTests
{
    // The vector levels this machine runs; the scalar level is the reference every case compares against.
    private static IEnumerable<SimdLevel> Levels() =>
        Enum.GetValues<SimdLevel>().Where(l => l > SimdLevel.Scalar && l <= SimdLevels.Best);

    [Test]
    public void LeakyReluMatchesScalarAtEveryLength([ValueSource(nameof(Levels))] SimdLevel level)
    {
        CpuBackend scalar = new(1, SimdLevel.Scalar), simd = new(1, level);
        Random random = new(1);
        for (int n = 0; n <= 70; n++)
        {
            float[] x = [.. Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f)];
            float[] g = [.. Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f)];
            (float[] ys, float[] gs) = Run(scalar, x, g);
            (float[] yv, float[] gv) = Run(simd, x, g);
            Assert.That(yv, Is.EqualTo(ys), $"forward, length {n}");
            Assert.That(gv, Is.EqualTo(gs), $"backward, length {n}");
            for (int i = 0; i < n; i++)
                Assert.That(ys[i], Is.EqualTo(x[i] > 0 ? x[i] : 0.25f * x[i]), $"scalar forward at {i}");
        }
    }

    [Test]
    public void MaxPoolBackwardMatchesScalarAtEveryWidth([ValueSource(nameof(Levels))] SimdLevel level, [Values] bool includeGround)
    {
        CpuBackend scalar = new(1, SimdLevel.Scalar), simd = new(1, level);
        using Tape tape = new();
        SparseInput points = new(2, 2, 1);
        Random random = new(3);
        for (int b = 0; b < 2; b++)
            foreach (int site in Enumerable.Range(0, 64).Where(_ => random.Next(3) > 0))
                points.Add(b, [site / 8, site % 8], 1f);
        SparseTensor grid = new InputLayer(new SpatialSize(8, 8)).Forward(points, scalar, tape);
        (SparseGrid outGrid, RuleBook rules) = grid.Metadata.GetConvolutionRules(grid.SpatialSize, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 1));
        for (int c = 1; c <= 40; c++)
        {
            // Values from a small set, so windows tie and the ground state often wins.
            float[] x = [.. Enumerable.Range(0, grid.ActiveCount * c).Select(_ => random.Next(4) * 0.5f - 0.5f)];
            float[] g = [.. Enumerable.Range(0, 2 * c).Select(_ => random.Next(4) * 0.5f - 0.5f)];
            float[] dy = [.. Enumerable.Range(0, outGrid.ActiveCount * c).Select(_ => random.NextSingle() - 0.5f)];
            (float[] dxs, float[] dgs) = MaxPoolGradients(scalar, rules, outGrid, includeGround, x, g, dy, c);
            (float[] dxv, float[] dgv) = MaxPoolGradients(simd, rules, outGrid, includeGround, x, g, dy, c);
            Assert.That(dxv, Is.EqualTo(dxs), $"input gradient, {c} channels");
            Assert.That(dgv, Is.EqualTo(dgs), $"ground gradient, {c} channels");
            // An independent check: the scalar level runs the same ILanes code as the others, so compare with a plain loop.
            (float[] dxr, float[] dgr) = ReferenceMaxPoolGradients(rules, outGrid, includeGround, x, g, dy, c);
            Assert.That(dxs, Is.EqualTo(dxr).Within(1e-5f), $"input gradient against the reference loop, {c} channels");
            Assert.That(dgs, Is.EqualTo(dgr).Within(1e-5f), $"ground gradient against the reference loop, {c} channels");
        }
    }

    [Test]
    public void MaxPoolForwardMatchesScalarAtEveryWidthIncludingNaNAndSignedZeros([ValueSource(nameof(Levels))] SimdLevel level, [Values] bool includeGround)
    {
        CpuBackend scalar = new(1, SimdLevel.Scalar), simd = new(1, level);
        using Tape tape = new();
        SparseInput points = new(2, 2, 1);
        Random random = new(8);
        for (int b = 0; b < 2; b++)
            foreach (int site in Enumerable.Range(0, 64).Where(_ => random.Next(3) > 0))
                points.Add(b, [site / 8, site % 8], 1f);
        SparseTensor grid = new InputLayer(new SpatialSize(8, 8)).Forward(points, scalar, tape);
        (SparseGrid outGrid, RuleBook rules) = grid.Metadata.GetConvolutionRules(grid.SpatialSize, SpatialSize.Cube(2, 3), SpatialSize.Cube(2, 1));
        float[] special = [0f, -0f, float.NaN, 1f, -1f, 0.5f];
        for (int c = 1; c <= 40; c++)
        {
            float[] x = [.. Enumerable.Range(0, grid.ActiveCount * c).Select(_ => special[random.Next(special.Length)])];
            float[] g = [.. Enumerable.Range(0, 2 * c).Select(_ => special[random.Next(special.Length)])];
            float[] ys = MaxPoolOutput(scalar, rules, outGrid, includeGround, x, g, c);
            float[] yv = MaxPoolOutput(simd, rules, outGrid, includeGround, x, g, c);
            Assert.That(yv.Select(BitConverter.SingleToInt32Bits).Select(b => float.IsNaN(BitConverter.Int32BitsToSingle(b)) ? int.MinValue : b),
                Is.EqualTo(ys.Select(BitConverter.SingleToInt32Bits).Select(b => float.IsNaN(BitConverter.Int32BitsToSingle(b)) ? int.MinValue : b)),
                $"{c} channels: same values, same zero signs, NaN where the scalar path has NaN");
        }
    }

    private static float[] MaxPoolOutput(CpuBackend be, RuleBook rules, SparseGrid outGrid, bool includeGround, float[] x, float[] g, int c)
    {
        using FeatureMatrix xm = be.Allocate(rules.InputRows, c), gm = be.Allocate(2, c), y = be.Allocate(rules.OutputRows, c);
        be.Upload(x, xm);
        be.Upload(g, gm);
        be.MaxPoolForward(xm, gm, rules, outGrid, includeGround, y);
        return y.ToArray();
    }

    [Test]
    public void SgdStepMatchesScalarAtEveryLength([ValueSource(nameof(Levels))] SimdLevel level, [Values] bool nesterov)
    {
        CpuBackend scalar = new(1, SimdLevel.Scalar), simd = new(1, level);
        Random random = new(2);
        for (int n = 1; n <= 70; n++)
        {
            float[] w = [.. Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f)];
            float[] g = [.. Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f)];
            float[] v = [.. Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f)];
            (float[] ws, float[] vs) = Step(scalar, w, g, v, nesterov);
            (float[] wv, float[] vv) = Step(simd, w, g, v, nesterov);
            Assert.That(wv, Is.EqualTo(ws), $"values, length {n}");
            Assert.That(vv, Is.EqualTo(vs), $"velocities, length {n}");
        }
    }

    private static (float[] Values, float[] Velocities) Step(CpuBackend be, float[] w, float[] g, float[] v, bool nesterov)
    {
        using FeatureMatrix wm = be.Allocate(1, w.Length), gm = be.Allocate(1, w.Length), vm = be.Allocate(1, w.Length);
        be.Upload(w, wm);
        be.Upload(g, gm);
        be.Upload(v, vm);
        be.SgdStep(wm, gm, vm, 0.03f, 0.9f, 1e-4f, nesterov);
        return (wm.ToArray(), vm.ToArray());
    }

    [Test]
    public void AdamStepMatchesScalarAtEveryLength([ValueSource(nameof(Levels))] SimdLevel level, [Values] bool decoupled)
    {
        CpuBackend scalar = new(1, SimdLevel.Scalar), simd = new(1, level);
        Random random = new(3);
        for (int n = 1; n <= 70; n++)
        {
            float[] w = [.. Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f)];
            float[] g = [.. Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f)];
            float[] m = [.. Enumerable.Range(0, n).Select(_ => random.NextSingle() - 0.5f)];
            float[] v = [.. Enumerable.Range(0, n).Select(_ => random.NextSingle())];
            float[][] expected = AdamStep(scalar, w, g, m, v, decoupled);
            float[][] actual = AdamStep(simd, w, g, m, v, decoupled);
            Assert.That(actual, Is.EqualTo(expected), $"values, first and second moments, length {n}");
        }
    }

    private static float[][] AdamStep(CpuBackend be, float[] w, float[] g, float[] m, float[] v, bool decoupled)
    {
        using FeatureMatrix wm = be.Allocate(1, w.Length), gm = be.Allocate(1, w.Length), mm = be.Allocate(1, w.Length), vm = be.Allocate(1, w.Length);
        be.Upload(w, wm);
        be.Upload(g, gm);
        be.Upload(m, mm);
        be.Upload(v, vm);
        be.AdamStep(wm, gm, mm, vm, 0.01f, 0.9f, 0.999f, 1e-8f, 0.05f, decoupled, 0.271f, 0.003f);
        return [wm.ToArray(), mm.ToArray(), vm.ToArray()];
    }

    [Test]
    public void PerSampleBroadcastsAndSumsMatchScalarAtEveryWidth([ValueSource(nameof(Levels))] SimdLevel level)
    {
        CpuBackend scalar = new(1, SimdLevel.Scalar), simd = new(1, level);
        using Tape tape = new();
        SparseInput points = new(3, 2, 1);
        Random random = new(12);
        foreach (int b in (int[])[0, 0, 0, 1, 2, 2, 2, 2, 2])
            points.Add(b, [random.Next(16), random.Next(16)], 1f);
        SparseTensor grid = new InputLayer(new SpatialSize(16, 16), DuplicateMode.Sum).Forward(points, scalar, tape);
        for (int c = 1; c <= 40; c++)
        {
            float[] rows = [.. Enumerable.Range(0, grid.ActiveCount * c).Select(_ => random.NextSingle() - 0.5f)];
            float[] perSample = [.. Enumerable.Range(0, 3 * c).Select(_ => random.NextSingle() - 0.5f)];
            float[][] expected = BySample(scalar, grid, rows, perSample, c), actual = BySample(simd, grid, rows, perSample, c);
            for (int k = 0; k < expected.Length; k++)
                Assert.That(actual[k], Is.EqualTo(expected[k]), $"result {k}, {c} channels");
        }
    }

    private static float[][] BySample(CpuBackend be, SparseTensor x, float[] rows, float[] perSample, int c)
    {
        using FeatureMatrix r = be.Allocate(x.ActiveCount, c), p = be.Allocate(3, c), sums = be.Allocate(3, c), mean = be.Allocate(3, c), row = be.Allocate(1, c);
        be.Upload(rows, r);
        be.Upload(perSample, p);
        be.Upload(perSample, sums);
        be.AddBySample(p, x.Grid, r, -0.75f);
        be.SumBySample(r, x.Grid, sums, 1.5f);
        be.MeanBySample(r, x.Grid, mean);
        be.AddRowVector(row, r);
        be.SumRows(r, row, 2f);
        return [r.ToArray(), sums.ToArray(), mean.ToArray(), row.ToArray()];
    }

    private static (float[] GradInput, float[] GradGround) MaxPoolGradients(CpuBackend be, RuleBook rules, SparseGrid outGrid, bool includeGround,
        float[] x, float[] g, float[] dy, int c)
    {
        using FeatureMatrix xm = be.Allocate(rules.InputRows, c), gm = be.Allocate(2, c), y = be.Allocate(rules.OutputRows, c), dym = be.Allocate(rules.OutputRows, c);
        using FeatureMatrix dx = be.Allocate(rules.InputRows, c), dg = be.Allocate(2, c);
        be.Upload(x, xm);
        be.Upload(g, gm);
        be.Upload(dy, dym);
        be.Fill(dx, 0.25f);
        be.MaxPoolForward(xm, gm, rules, outGrid, includeGround, y);
        be.MaxPoolBackward(xm, gm, rules, outGrid, includeGround, y, dym, dx, dg);
        return (dx.ToArray(), dg.ToArray());
    }

    /// <summary>
    /// The contract of MaxPoolBackward, written plainly: each output's gradient goes to the first window element (in
    /// tap order) equal to the window's maximum, else (a partial window that includes the ground state) to the ground.
    /// </summary>
    private static (float[] GradInput, float[] GradGround) ReferenceMaxPoolGradients(RuleBook rules, SparseGrid outGrid, bool includeGround,
        float[] x, float[] g, float[] dy, int c)
    {
        float[] dx = [.. Enumerable.Repeat(0.25f, rules.InputRows * c)], dg = new float[2 * c];
        int taps = rules.FilterVolume;
        int[] table = rules.NeighbourTable.ToArray(), sampleOfRow = outGrid.SampleOfRow.ToArray();
        for (int o = 0; o < rules.OutputRows; o++)
        {
            int[] window = table[(o * taps)..((o + 1) * taps)];
            bool partial = window.Any(i => i < 0);
            for (int ch = 0; ch < c; ch++)
            {
                float max = window.Where(i => i >= 0).Max(i => x[(i * c) + ch]);
                float ground = g[(sampleOfRow[o] * c) + ch];
                if (partial && includeGround)
                    max = Math.Max(max, ground);
                int tap = Array.FindIndex(window, i => i >= 0 && x[(i * c) + ch] == max), winner = tap >= 0 ? window[tap] : -1;
                if (winner >= 0)
                    dx[(winner * c) + ch] += dy[(o * c) + ch];
                else
                    dg[(sampleOfRow[o] * c) + ch] += dy[(o * c) + ch];
            }
        }
        return (dx, dg);
    }

    private static (float[] Y, float[] GradX) Run(CpuBackend be, float[] x, float[] g)
    {
        using FeatureMatrix xm = be.Allocate(1, x.Length), y = be.Allocate(1, x.Length), gy = be.Allocate(1, x.Length), gx = be.Allocate(1, x.Length);
        be.Upload(x, xm);
        be.Upload(g, gy);
        be.Fill(gx, 1f);
        be.LeakyReluForward(xm, y, 0.25f);
        be.LeakyReluBackward(xm, gy, gx, 0.25f);
        return (y.ToArray(), gx.ToArray());
    }
}
