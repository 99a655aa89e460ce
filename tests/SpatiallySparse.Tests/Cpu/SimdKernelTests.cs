using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using NUnit.Framework;
using SpatiallySparse.Backends.Cpu.Simd;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Tests.Cpu;

[TestFixture]
public sealed class SimdKernelTests
{
    private const double Tolerance = 1e-4;

    private static readonly int[] Channels = [1, 3, 7, 15, 16, 17, 31, 33, 60, 64, 65, 128];

    private static readonly int[] ThreadCounts = [1, 2, 5];

    public static IEnumerable<SimdLevel> Levels => SimdLevels.Supported();

    /// <summary>
    /// (cin, cout, density, multiply-adds): dense (im2col path for few channels) and sparse rules. About 1.6M
    /// multiply-adds is over the kernels' 1M threading threshold; 18M (over twice 8M) gives the weight gradient
    /// two partial-sum segments.
    /// </summary>
    private static readonly (int Cin, int Cout, double Density, double Work)[] LargeShapes =
    [
        (64, 64, 0.9, 1.6e6), (60, 120, 0.4, 1.6e6), (17, 33, 0.5, 1.6e6), (3, 64, 0.95, 1.6e6), (1, 65, 0.9, 1.6e6),
        (128, 65, 0.3, 1.6e6), (64, 64, 0.9, 18e6), (3, 64, 0.95, 18e6),
    ];

    [TestCaseSource(nameof(Levels))]
    public void ScatterAddMatchesReferenceForAllChannelCounts(SimdLevel level)
    {
        Random rng = new(11);
        foreach (int cin in Channels)
        {
            foreach (int cout in Channels)
            {
                double density = (cin + cout) % 2 == 0 ? 0.9 : 0.35;
                RuleBook rules = RandomRules(rng, taps: 4, inputRows: 29, outputRows: 23, density);
                CheckScatter(rng, rules, cin, cout, level, threads: 1);
            }
        }
    }

    [TestCaseSource(nameof(Levels))]
    public void WeightGradientMatchesReferenceForAllChannelCounts(SimdLevel level)
    {
        Random rng = new(12);
        foreach (int cin in Channels)
        {
            foreach (int cout in Channels)
            {
                double density = (cin + cout) % 2 == 0 ? 0.9 : 0.35;
                RuleBook rules = RandomRules(rng, taps: 4, inputRows: 29, outputRows: 23, density);
                CheckGradient(rng, rules, cin, cout, level, threads: 1);
            }
        }
    }

    [Test]
    public void GemmMatchesReference([ValueSource(nameof(Levels))] SimdLevel level, [Values] bool transposeA)
    {
        Random rng = new(transposeA ? 14 : 13);
        string name = transposeA ? "GemmTransposedA" : "Gemm";
        foreach (int m in new[] { 1, 7, 50 })
        {
            foreach (int k in Channels)
            {
                foreach (int n in new[] { 1, 17, 64, 65 })
                {
                    // C (m x n) += A B, or C (k x n) += A^T B with A m x k and B m x n.
                    float[] a = RandomArray(rng, m * k);
                    float[] b = RandomArray(rng, (transposeA ? m : k) * n);
                    float[] c = RandomArray(rng, (transposeA ? k : m) * n);
                    (double[] expected, double[] scale) = ReferenceGemm(a, m, k, b, n, c, transposeA);
                    if (transposeA)
                    {
                        RuleGemm.GemmTransposedA(a, m, k, b, n, c, level, threads: 2);
                    }
                    else
                    {
                        RuleGemm.Gemm(a, m, k, b, n, c, level, threads: 2);
                    }

                    AssertClose(c, expected, scale, $"{name} {m}x{k}x{n} {level}");
                }
            }
        }
    }

    [TestCaseSource(nameof(Levels))]
    public void LargeProblemsMatchReferenceAndAreBitIdenticalForAnyThreadCount(SimdLevel level)
    {
        Random rng = new(15);
        foreach ((int cin, int cout, double density, double work) in LargeShapes)
        {
            int rows = Math.Max(300, (int)(work / (9 * density * cin * cout)));
            RuleBook rules = RandomRules(rng, taps: 9, inputRows: rows + 50, outputRows: rows, density);
            float[] input = RandomArray(rng, rules.InputRows * cin);
            float[] weights = RandomArray(rng, rules.FilterVolume * cin * cout);
            float[] initial = RandomArray(rng, rules.OutputRows * cout);
            float[] gradOut = RandomArray(rng, rules.OutputRows * cout);
            float[]? firstScatter = null;
            float[]? firstGradient = null;
            foreach (int threads in ThreadCounts)
            {
                float[] output = (float[])initial.Clone();
                RuleGemm.ScatterAdd(input, cin, weights, output, cout, rules, level, threads);
                float[] gradW = (float[])weights.Clone();
                RuleGemm.WeightGradient(input, cin, gradOut, cout, rules, gradW, level, threads);
                firstScatter ??= output;
                firstGradient ??= gradW;
                AssertBitIdentical(output, firstScatter, $"ScatterAdd {cin}->{cout} threads={threads} {level}");
                AssertBitIdentical(gradW, firstGradient, $"WeightGradient {cin}->{cout} threads={threads} {level}");
            }

            (double[] expected, double[] scale) = ReferenceScatter(input, cin, weights, initial, cout, rules);
            AssertClose(firstScatter!, expected, scale, $"ScatterAdd {cin}->{cout} {level}");
            (expected, scale) = ReferenceGradient(input, cin, gradOut, cout, rules, weights);
            AssertClose(firstGradient!, expected, scale, $"WeightGradient {cin}->{cout} {level}");
        }
    }

    [TestCaseSource(nameof(Levels))]
    public void BackwardToInputUsesTransposedRulesAndWeights(SimdLevel level)
    {
        Random rng = new(16);
        const int Cin = 33, Cout = 20;
        RuleBook rules = RandomRules(rng, taps: 5, inputRows: 60, outputRows: 45, density: 0.6);
        float[] weights = RandomArray(rng, rules.FilterVolume * Cin * Cout);
        float[] gradOut = RandomArray(rng, rules.OutputRows * Cout);
        float[] transposed = new float[weights.Length];
        for (int t = 0; t < rules.FilterVolume; t++)
        {
            for (int i = 0; i < Cin; i++)
            {
                for (int o = 0; o < Cout; o++)
                {
                    transposed[(t * Cout * Cin) + (o * Cin) + i] = weights[(t * Cin * Cout) + (i * Cout) + o];
                }
            }
        }

        float[] gradIn = new float[rules.InputRows * Cin];
        RuleGemm.ScatterAdd(gradOut, Cout, transposed, gradIn, Cin, rules.Transposed, level, threads: 2);

        double[] expected = new double[gradIn.Length];
        double[] scale = new double[gradIn.Length];
        for (int t = 0; t < rules.FilterVolume; t++)
        {
            ReadOnlySpan<int> ins = rules.InputRowsOf(t);
            ReadOnlySpan<int> outs = rules.OutputRowsOf(t);
            for (int p = 0; p < ins.Length; p++)
            {
                for (int i = 0; i < Cin; i++)
                {
                    for (int o = 0; o < Cout; o++)
                    {
                        double term = (double)gradOut[(outs[p] * Cout) + o] * weights[(t * Cin * Cout) + (i * Cout) + o];
                        expected[(ins[p] * Cin) + i] += term;
                        scale[(ins[p] * Cin) + i] += Math.Abs(term);
                    }
                }
            }
        }

        AssertClose(gradIn, expected, scale, $"backward-to-input {level}");
    }

    [TestCaseSource(nameof(Levels))]
    public void VectorLevelsAgreeWithScalar(SimdLevel level)
    {
        Random rng = new(17);
        foreach ((int cin, int cout, double density, _) in LargeShapes)
        {
            RuleBook rules = RandomRules(rng, taps: 9, inputRows: 300, outputRows: 280, density);
            float[] input = RandomArray(rng, rules.InputRows * cin);
            float[] weights = RandomArray(rng, rules.FilterVolume * cin * cout);
            float[] scalar = new float[rules.OutputRows * cout];
            float[] vector = new float[rules.OutputRows * cout];
            RuleGemm.ScatterAdd(input, cin, weights, scalar, cout, rules, SimdLevel.Scalar, threads: 1);
            RuleGemm.ScatterAdd(input, cin, weights, vector, cout, rules, level, threads: 2);
            (_, double[] scale) = ReferenceScatter(input, cin, weights, new float[scalar.Length], cout, rules);
            AssertClose(vector, scalar.Select(x => (double)x).ToArray(), scale, $"{level} vs Scalar {cin}->{cout}");
        }
    }

    [Test]
    public void BadArgumentsThrow()
    {
        Random rng = new(18);
        RuleBook rules = RandomRules(rng, taps: 3, inputRows: 10, outputRows: 8, density: 0.5);
        float[] input = new float[10 * 4];
        float[] weights = new float[3 * 4 * 5];
        float[] output = new float[8 * 5];
        SimdLevel level = SimdLevels.Best;

        Assert.Throws<ArgumentException>(() => RuleGemm.ScatterAdd(new float[39], 4, weights, output, 5, rules, level, 1));
        Assert.Throws<ArgumentException>(() => RuleGemm.ScatterAdd(input, 4, new float[59], output, 5, rules, level, 1));
        Assert.Throws<ArgumentException>(() => RuleGemm.ScatterAdd(input, 4, weights, new float[41], 5, rules, level, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RuleGemm.ScatterAdd(input, 0, weights, output, 5, rules, level, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RuleGemm.ScatterAdd(input, 4, weights, output, 5, rules, level, 0));
        Assert.Throws<ArgumentException>(() => RuleGemm.ScatterAdd(input, 4, weights, output, 5, rules, (SimdLevel)42, 1));
        Assert.Throws<ArgumentNullException>(() => RuleGemm.ScatterAdd(input, 4, weights, output, 5, null!, level, 1));
        Assert.Throws<ArgumentException>(() => RuleGemm.ScatterAdd(output.AsSpan(0, 40), 4, weights, output, 5, rules, level, 1));

        Assert.Throws<ArgumentException>(() => RuleGemm.WeightGradient(input, 4, new float[39], 5, rules, weights, level, 1));
        Assert.Throws<ArgumentException>(() => RuleGemm.WeightGradient(input, 4, output, 5, rules, new float[61], level, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RuleGemm.WeightGradient(input, 4, output, -1, rules, weights, level, 1));

        Assert.Throws<ArgumentException>(() => RuleGemm.Gemm(new float[6], 2, 4, new float[20], 5, new float[10], level, 1));
        Assert.Throws<ArgumentException>(() => RuleGemm.Gemm(new float[8], 2, 4, new float[20], 5, new float[11], level, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RuleGemm.Gemm(new float[8], -2, 4, new float[20], 5, new float[10], level, 1));
        Assert.Throws<ArgumentException>(() => RuleGemm.GemmTransposedA(new float[8], 2, 4, new float[9], 5, new float[20], level, 1));
        Assert.Throws<ArgumentException>(() => RuleGemm.GemmTransposedA(new float[8], 2, 4, new float[10], 5, new float[21], level, 1));

        foreach (SimdLevel unsupported in Enum.GetValues<SimdLevel>().Where(l => !SimdLevels.IsSupported(l)))
        {
            Assert.Throws<ArgumentException>(() => RuleGemm.Gemm(new float[8], 2, 4, new float[20], 5, new float[10], unsupported, 1));
        }
    }

    [Test]
    public void BestLevelIsSupported()
    {
        Assert.That(SimdLevels.IsSupported(SimdLevels.Best), Is.True);
        Assert.That(SimdLevels.Supported(), Does.Contain(SimdLevel.Scalar));
    }

    private static void CheckScatter(Random rng, RuleBook rules, int cin, int cout, SimdLevel level, int threads)
    {
        float[] input = RandomArray(rng, rules.InputRows * cin);
        float[] weights = RandomArray(rng, rules.FilterVolume * cin * cout);
        float[] output = RandomArray(rng, rules.OutputRows * cout);
        (double[] expected, double[] scale) = ReferenceScatter(input, cin, weights, output, cout, rules);
        RuleGemm.ScatterAdd(input, cin, weights, output, cout, rules, level, threads);
        AssertClose(output, expected, scale, $"ScatterAdd {cin}->{cout} {level}");
    }

    private static void CheckGradient(Random rng, RuleBook rules, int cin, int cout, SimdLevel level, int threads)
    {
        float[] input = RandomArray(rng, rules.InputRows * cin);
        float[] gradOut = RandomArray(rng, rules.OutputRows * cout);
        float[] gradW = RandomArray(rng, rules.FilterVolume * cin * cout);
        (double[] expected, double[] scale) = ReferenceGradient(input, cin, gradOut, cout, rules, gradW);
        RuleGemm.WeightGradient(input, cin, gradOut, cout, rules, gradW, level, threads);
        AssertClose(gradW, expected, scale, $"WeightGradient {cin}->{cout} {level}");
    }

    /// <summary>Random rules meeting the invariants: per tap, outputs strictly increasing, inputs distinct.</summary>
    private static RuleBook RandomRules(Random rng, int taps, int inputRows, int outputRows, double density)
    {
        int[][] ins = new int[taps][];
        int[][] outs = new int[taps][];
        for (int t = 0; t < taps; t++)
        {
            int[] chosen = Enumerable.Range(0, outputRows).Where(_ => rng.NextDouble() < density).Take(inputRows).ToArray();
            int[] sources = Enumerable.Range(0, inputRows).OrderBy(_ => rng.Next()).Take(chosen.Length).ToArray();
            outs[t] = chosen;
            ins[t] = sources;
        }

        return new RuleBook(taps, inputRows, outputRows, ins, outs);
    }

    private static float[] RandomArray(Random rng, int length)
    {
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        return values;
    }

    /// <summary>Double-precision scatter, with the sum of |terms| per element as the error scale.</summary>
    private static (double[] Expected, double[] Scale) ReferenceScatter(
        float[] input, int cin, float[] weights, float[] initial, int cout, RuleBook rules)
    {
        double[] expected = initial.Select(x => (double)x).ToArray();
        double[] scale = initial.Select(x => Math.Abs((double)x)).ToArray();
        for (int t = 0; t < rules.FilterVolume; t++)
        {
            ReadOnlySpan<int> ins = rules.InputRowsOf(t);
            ReadOnlySpan<int> outs = rules.OutputRowsOf(t);
            for (int p = 0; p < ins.Length; p++)
            {
                for (int k = 0; k < cin; k++)
                {
                    double a = input[(ins[p] * cin) + k];
                    for (int j = 0; j < cout; j++)
                    {
                        double term = a * weights[(((t * cin) + k) * cout) + j];
                        expected[(outs[p] * cout) + j] += term;
                        scale[(outs[p] * cout) + j] += Math.Abs(term);
                    }
                }
            }
        }

        return (expected, scale);
    }

    private static (double[] Expected, double[] Scale) ReferenceGradient(
        float[] input, int cin, float[] gradOut, int cout, RuleBook rules, float[] initial)
    {
        double[] expected = initial.Select(x => (double)x).ToArray();
        double[] scale = initial.Select(x => Math.Abs((double)x)).ToArray();
        for (int t = 0; t < rules.FilterVolume; t++)
        {
            ReadOnlySpan<int> ins = rules.InputRowsOf(t);
            ReadOnlySpan<int> outs = rules.OutputRowsOf(t);
            for (int p = 0; p < ins.Length; p++)
            {
                for (int k = 0; k < cin; k++)
                {
                    double a = input[(ins[p] * cin) + k];
                    for (int j = 0; j < cout; j++)
                    {
                        double term = a * gradOut[(outs[p] * cout) + j];
                        expected[(((t * cin) + k) * cout) + j] += term;
                        scale[(((t * cin) + k) * cout) + j] += Math.Abs(term);
                    }
                }
            }
        }

        return (expected, scale);
    }

    /// <summary>C += A·B (A m x k, B k x n) or C += Aᵀ·B (A m x k, B m x n) in double.</summary>
    private static (double[] Expected, double[] Scale) ReferenceGemm(float[] a, int m, int k, float[] b, int n, float[] c, bool transposeA)
    {
        double[] expected = c.Select(x => (double)x).ToArray();
        double[] scale = c.Select(x => Math.Abs((double)x)).ToArray();
        for (int r = 0; r < m; r++)
        {
            for (int q = 0; q < k; q++)
            {
                for (int j = 0; j < n; j++)
                {
                    double term = (double)a[(r * k) + q] * b[((transposeA ? r : q) * n) + j];
                    int index = ((transposeA ? q : r) * n) + j;
                    expected[index] += term;
                    scale[index] += Math.Abs(term);
                }
            }
        }

        return (expected, scale);
    }

    private static void AssertBitIdentical(float[] actual, float[] expected, string what)
    {
        ReadOnlySpan<int> a = MemoryMarshal.Cast<float, int>(actual);
        ReadOnlySpan<int> e = MemoryMarshal.Cast<float, int>(expected);
        Assert.That(a.SequenceEqual(e), Is.True, $"{what}: not bit-identical to the first thread count");
    }

    private static void AssertClose(float[] actual, double[] expected, double[] scale, string what)
    {
        Assert.That(actual, Has.Length.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (error > Tolerance * (scale[i] + 1e-3))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (scale {scale[i]})");
            }
        }
    }
}
