using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Autograd;

/// <summary>Settings of a gradient check.</summary>
internal sealed record GradCheckOptions
{
    /// <summary>
    /// Half-width h of the central difference. The forward passes run in float, so L (a sum of ~100 products
    /// y_i R_i of order one) carries a rounding error near 1e-7, which the division by 2h turns into up to ~1e-4
    /// for h = 1e-3; the truncation error h² · L''' is ~1e-6. A larger h lets the perturbation carry a leaky
    /// ReLU input or a max-pooling winner across its kink (h = 1e-2 does so at several of these seeds, giving
    /// errors near 0.1 that vanish at 1e-3); a smaller h drowns the difference in float noise (1e-4 gives 1e-3).
    /// </summary>
    public double Step { get; init; } = 1e-3;

    /// <summary>
    /// Allowed |analytic - numeric| relative to max(1, |analytic|, |numeric|). Observed errors over every check
    /// stay below 2e-4, so 1e-3 leaves a fivefold margin, yet any real mistake (a dropped term, a wrong scale, a
    /// gradient routed to the wrong sample) moves these O(0.1..1) derivatives by 1e-2 or more.
    /// </summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>Elements checked per tensor: all of them, or a fixed random subset of this many.</summary>
    public int MaxElementsPerTensor { get; init; } = 40;

    /// <summary>Seed of the projection weights R, of the input ground state and of the element subsets.</summary>
    public int Seed { get; init; } = 20140901;

    /// <summary>
    /// Whether to check the gradient with respect to the input points' features. When false the input does not
    /// ask for one either (a network's input, as in training), which lets a network run its input-only fused ops.
    /// </summary>
    public bool CheckInput { get; init; } = true;

    /// <summary>
    /// When true the network's input gets a random ground state, different for each sample, instead of the input
    /// layer's zero, and the gradient with respect to it (<see cref="SparseTensor.GroundGrad"/>) is checked too.
    /// </summary>
    public bool InputGround { get; init; }

    /// <summary>
    /// Tensors whose gradient is identically zero by construction (e.g. a bias cancelled by a following batch
    /// norm): they are still compared, but exempt from the requirement that some derivative be non-zero.
    /// </summary>
    public IReadOnlySet<string> ExpectedZero { get; init; } = new HashSet<string>();
}

/// <summary>One checked element: analytic (backward) against numeric (central difference) derivative.</summary>
internal readonly record struct GradComparison(string Tensor, int Index, double Analytic, double Numeric)
{
    public double Error => Math.Abs(Analytic - Numeric);

    public bool Agrees(double tolerance) => Error <= tolerance * Math.Max(1.0, Math.Max(Math.Abs(Analytic), Math.Abs(Numeric)));

    public override string ToString() => $"{Tensor}[{Index}]: analytic {Analytic:G6}, numeric {Numeric:G6}";
}

/// <summary>Outcome of a gradient check.</summary>
internal sealed class GradCheckResult(IReadOnlyList<GradComparison> comparisons, GradCheckOptions options)
{
    /// <summary>Name used for the input points' features.</summary>
    public const string InputName = "input";

    /// <summary>Name used for the input ground state (with <see cref="GradCheckOptions.InputGround"/>).</summary>
    public const string GroundName = "ground";

    public IReadOnlyList<GradComparison> Comparisons { get; } = comparisons;

    public GradCheckOptions Options { get; } = options;

    public IReadOnlyList<GradComparison> Failures => [.. Comparisons.Where(c => !c.Agrees(Options.Tolerance))];

    /// <summary>Checked tensors none of whose numeric derivatives is clearly non-zero (a vacuous check), bar the expected ones.</summary>
    public IReadOnlyList<string> Vacuous =>
        [.. Comparisons.GroupBy(c => c.Tensor)
            .Where(g => !Options.ExpectedZero.Contains(g.Key) && g.Max(c => Math.Abs(c.Numeric)) < 1e-3)
            .Select(g => g.Key)];

    /// <summary>Names of the checked tensors.</summary>
    public IReadOnlyList<string> Tensors => [.. Comparisons.Select(c => c.Tensor).Distinct()];

    /// <summary>Largest |analytic - numeric|.</summary>
    public double LargestError => Comparisons.Count == 0 ? 0 : Comparisons.Max(c => c.Error);
}

/// <summary>
/// Gradient checking: compares the gradients that <see cref="Tape.Backward()"/> produces for every parameter,
/// for the input points' features and optionally for the input ground state against central differences of a
/// scalar L. For a network ending in a tensor y, L = sum_i y_i R_i with fixed random weights R over y's values
/// and, for a sparse y, its ground state as well, accumulated in double; backward is seeded by setting y's
/// gradients to R. For a network ending in <see cref="SoftmaxCrossEntropy"/>, L is the loss, which seeds itself.
/// </summary>
internal static class GradCheck
{
    private delegate double Objective(SparseTensor input, Tape tape, bool seedGradient);

    /// <summary>Checks a network whose output is a tensor.</summary>
    public static GradCheckResult Run(PointBatch points, Func<SparseTensor, Tape, Tensor> network,
        IEnumerable<(string Name, Parameter Parameter)> parameters, GradCheckOptions? options = null)
    {
        GradCheckOptions o = options ?? new GradCheckOptions();
        Projection projection = new(network, o.Seed);
        return Check(points, projection.Evaluate, [.. parameters], o);
    }

    /// <summary>Checks a network that ends in a loss.</summary>
    public static GradCheckResult RunLoss(PointBatch points, Func<SparseTensor, Tape, LossResult> network,
        IEnumerable<(string Name, Parameter Parameter)> parameters, GradCheckOptions? options = null) =>
        Check(points, (x, tape, _) => network(x, tape).Value, [.. parameters], options ?? new GradCheckOptions());

    /// <summary>Asserts that every comparison agrees and that no checked tensor was vacuously zero.</summary>
    public static void AssertAgrees(GradCheckResult result)
    {
        // Printed so a tolerance change can be judged against the observed errors (visible with detailed verbosity).
        TestContext.Out.WriteLine($"{result.Comparisons.Count} derivatives of {string.Join(", ", result.Tensors)}; largest error {result.LargestError:G3}");
        Assert.That(result.Comparisons, Is.Not.Empty, "nothing was checked");
        Assert.That(result.Vacuous, Is.Empty, "these tensors have no non-zero numeric derivative, so their check proves nothing");
        Assert.That(result.Failures, Is.Empty,
            $"analytic and numeric gradients disagree beyond {result.Options.Tolerance} (largest error {result.LargestError:G3})");
    }

    /// <summary>Runs and asserts in one call.</summary>
    public static void AssertGradients(PointBatch points, Func<SparseTensor, Tape, Tensor> network,
        IEnumerable<(string Name, Parameter Parameter)> parameters, GradCheckOptions? options = null) =>
        AssertAgrees(Run(points, network, parameters, options));

    /// <summary>
    /// Sets every parameter to uniform values in ±<paramref name="scale"/>: the default initialisation zeroes
    /// biases and sets batch-norm scales to one, which would leave ground states zero and hide their gradients.
    /// </summary>
    public static void Randomize(Module module, int seed, float scale = 0.5f)
    {
        Random random = new(seed);
        foreach (Parameter p in module.Parameters())
            p.SetValues(Uniform(p.Rows * p.Columns, random, scale));
    }

    /// <summary>
    /// The network input: the input layer's tensor or, with a ground state given, a copy of it holding that
    /// ground state (per sample), whose feature gradient flows back to the input layer.
    /// </summary>
    public static SparseTensor Input(PointBatch points, SparseInput input, float[]? ground, Tape tape)
    {
        SparseTensor x = points.InputLayer().Forward(input, CpuBackend.Shared, tape);
        return ground is null ? x : WithGround(x, ground, tape);
    }

    private static SparseTensor WithGround(SparseTensor x, float[] ground, Tape tape)
    {
        ISparseBackend be = x.Backend;
        FeatureMatrix features = be.Allocate(x.ActiveCount, x.Channels);
        be.Copy(x.Features, features);
        FeatureMatrix g = be.Allocate(x.BatchSize, x.Channels);
        be.Upload(ground, g);
        SparseTensor y = tape.Own(new SparseTensor(x.Metadata, x.Grid, features, g, groundIsZero: false));
        tape.Record(() =>
        {
            if (y.Grad is not null)
                be.Add(y.Grad, x.GradOrCreate());
        });
        return y;
    }

    private static GradCheckResult Check(PointBatch points, Objective objective, (string Name, Parameter Parameter)[] parameters, GradCheckOptions o)
    {
        Random random = new(o.Seed + 1);
        float[] features = points.Features;
        float[]? ground = o.InputGround ? Uniform(points.BatchSize * points.Channels, random, 1f) : null;
        Func<double> evaluate = () => Evaluate(points, features, ground, objective);
        foreach ((_, Parameter p) in parameters)
            p.ZeroGrad();
        (float[] featureGradient, float[]? groundGradient) = Analytic(points, features, ground, objective, o.CheckInput);

        List<GradComparison> comparisons = [];
        foreach ((string name, Parameter p) in parameters)
        {
            float[] values = p.GetValues();
            Compare(name, p.Grad.ToArray(), values, () => p.SetValues(values), evaluate, o, random, comparisons);
        }
        if (o.CheckInput)
            Compare(GradCheckResult.InputName, featureGradient, features, () => { }, evaluate, o, random, comparisons);
        if (ground is not null)
            Compare(GradCheckResult.GroundName, groundGradient!, ground, () => { }, evaluate, o, random, comparisons);
        return new GradCheckResult(comparisons, o);
    }

    private static (float[] Features, float[]? Ground) Analytic(PointBatch points, float[] features, float[]? ground, Objective objective,
        bool inputGradient)
    {
        using Tape tape = new();
        SparseInput input = points.ToInput(features);
        input.RequiresGradient = inputGradient;
        SparseTensor x = Input(points, input, ground, tape);
        objective(x, tape, seedGradient: true);
        tape.Backward();
        // No ground gradient at all means backward never reached the ground state: a zero gradient.
        float[]? groundGradient = ground is null ? null : x.GroundGrad?.ToArray() ?? new float[ground.Length];
        float[] featureGradient = inputGradient ? input.FeatureGradient ?? throw new InvalidOperationException("Backward did not fill the input gradient.") : [];
        return (featureGradient, groundGradient);
    }

    private static double Evaluate(PointBatch points, float[] features, float[]? ground, Objective objective)
    {
        // A tape that records nothing: the numeric side must not depend on any backward machinery.
        using Tape tape = new(recordGradients: false);
        SparseTensor x = Input(points, points.ToInput(features), ground, tape);
        return objective(x, tape, seedGradient: false);
    }

    /// <summary>Perturbs each chosen element of <paramref name="values"/> (applied by <paramref name="apply"/>) and compares.</summary>
    private static void Compare(string name, float[] analytic, float[] values, Action apply, Func<double> evaluate,
        GradCheckOptions o, Random random, List<GradComparison> into)
    {
        foreach (int i in Subset(values.Length, o.MaxElementsPerTensor, random))
        {
            float original = values[i];
            // Divide by the float perturbation actually applied, not by 2h: rounding value ± h to float moves it.
            float plus = (float)(original + o.Step), minus = (float)(original - o.Step);
            values[i] = plus;
            apply();
            double lPlus = evaluate();
            values[i] = minus;
            apply();
            double lMinus = evaluate();
            values[i] = original;
            apply();
            into.Add(new GradComparison(name, i, analytic[i], (lPlus - lMinus) / ((double)plus - minus)));
        }
    }

    private static int[] Subset(int length, int max, Random random)
    {
        int[] all = [.. Enumerable.Range(0, length)];
        if (length <= max)
            return all;
        random.Shuffle(all);
        int[] chosen = all[..max];
        Array.Sort(chosen);
        return chosen;
    }

    private static float[] Uniform(int length, Random random, float scale)
    {
        float[] values = new float[length];
        for (int i = 0; i < values.Length; i++)
            values[i] = (random.NextSingle() * 2f - 1f) * scale;
        return values;
    }

    /// <summary>L = &lt;y, R&gt; over the output's values and ground state, with R drawn once for the output's shape.</summary>
    private sealed class Projection(Func<SparseTensor, Tape, Tensor> network, int seed)
    {
        private readonly Random _random = new(seed);
        private float[]? _values;
        private float[]? _ground;

        public double Evaluate(SparseTensor input, Tape tape, bool seedGradient)
        {
            Tensor y = network(input, tape);
            _values ??= Uniform(checked((int)y.Features.Length), _random, 1f);
            double l = Dot(y.Features.ToArray(), _values);
            if (y is SparseTensor sparse)
            {
                _ground ??= Uniform(checked((int)sparse.Ground.Length), _random, 1f);
                l += Dot(sparse.Ground.ToArray(), _ground);
                if (seedGradient)
                    y.Backend.Upload(_ground, sparse.GroundGradOrCreate());
            }
            if (seedGradient)
                y.Backend.Upload(_values, y.GradOrCreate());
            return l;
        }

        private static double Dot(float[] y, float[] r)
        {
            if (y.Length != r.Length)
                throw new InvalidOperationException($"The output changed shape ({r.Length} -> {y.Length} values) when an input value moved.");
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
                sum += (double)y[i] * r[i];
            return sum;
        }
    }
}
