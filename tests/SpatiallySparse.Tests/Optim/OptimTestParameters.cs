using SpatiallySparse.Autograd;
using SpatiallySparse.Layers;
using SpatiallySparse.Optim;

namespace SpatiallySparse.Tests.Optim;

/// <summary>Parameters with chosen values, and gradients set as a backward pass would leave them.</summary>
internal static class OptimTestParameters
{
    /// <summary>A CPU parameter holding <paramref name="values"/> (a Linear weight of that many inputs).</summary>
    public static Parameter New(params float[] values)
    {
        Parameter p = new Linear(values.Length, 1, bias: false, seed: 0).Weight;
        p.SetValues(values);
        return p;
    }

    /// <summary>Zeroes the gradients, uploads <paramref name="gradient"/> into <paramref name="p"/>'s, then steps.</summary>
    public static void Step(Optimizer optimizer, Parameter p, float[] gradient)
    {
        optimizer.ZeroGrad();
        p.Backend.Upload(gradient, p.Grad);
        optimizer.Step();
    }

    /// <summary>The values of <paramref name="p"/> as doubles, for comparisons against a double reference.</summary>
    public static double[] Values(Parameter p) => [.. p.GetValues().Select(x => (double)x)];
}
