using SpatiallySparse.Backends;

namespace SpatiallySparse.Autograd;

/// <summary>Seeded parameter initialisation.</summary>
public static class Initialization
{
    private static int _nextSeed;

    /// <summary>
    /// A deterministic seed for a layer built without one: 0, 1, 2, ... in construction order, so a program
    /// that builds the same network gets the same weights on every run.
    /// </summary>
    public static int NextSeed() => Interlocked.Increment(ref _nextSeed) - 1;

    /// <summary>Uniform in ±sqrt(6 / (fanIn + fanOut)) (Glorot; the paper's initialisation).</summary>
    public static void GlorotUniform(Parameter parameter, int fanIn, int fanOut, Random random)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        ArgumentNullException.ThrowIfNull(random);
        float bound = MathF.Sqrt(6f / Math.Max(1, fanIn + fanOut));
        float[] values = new float[parameter.Rows * parameter.Columns];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)((random.NextDouble() * 2 - 1) * bound);
        parameter.SetValues(values);
    }

    /// <summary>Sets every value to <paramref name="value"/>.</summary>
    public static void Constant(Parameter parameter, float value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        parameter.Backend.Fill(parameter.Value, value);
    }

    internal static ISparseBackend DefaultBackend => Backends.Cpu.CpuBackend.Shared;
}
