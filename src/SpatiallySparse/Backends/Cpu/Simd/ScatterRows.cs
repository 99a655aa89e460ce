using System;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// What a scatter does to its output rows besides accumulating the products: optionally start every row from
/// its sample's row of a per-sample matrix (or from zero) instead of its old value, and optionally end with a
/// leaky ReLU. Both run per chunk of rows while the chunk is in cache, so a fresh output is written once
/// instead of being zeroed, initialised and activated in three passes over memory.
/// </summary>
internal readonly unsafe struct ScatterRows
{
    private readonly float* perSample;
    private readonly int* sampleOfRow;
    private readonly bool overwrite;
    private readonly bool activate;
    private readonly float slope;

    private ScatterRows(bool overwrite, float* perSample, int* sampleOfRow, float? leakySlope)
    {
        this.overwrite = overwrite;
        this.perSample = perSample;
        this.sampleOfRow = sampleOfRow;
        activate = leakySlope.HasValue;
        slope = leakySlope.GetValueOrDefault();
    }

    /// <summary>Accumulate onto the rows as they are, then the optional activation.</summary>
    public static ScatterRows Accumulate(float? leakySlope = null) => new(false, null, null, leakySlope);

    /// <summary>
    /// Overwrite: row r starts as row <c>sampleOfRow[r]</c> of <paramref name="perSample"/> (zero when that is
    /// null); then the products, then the optional activation.
    /// </summary>
    public static ScatterRows StartFrom(float* perSample, int* sampleOfRow, float? leakySlope) =>
        new(true, perSample, sampleOfRow, leakySlope);

    /// <summary>Overwrite: every row starts from zero (a fresh gradient buffer).</summary>
    public static ScatterRows StartFromZero() => new(true, null, null, null);

    /// <summary>True when the rows need work even without any pair.</summary>
    public bool TouchesRows => overwrite || activate;

    public void Start(float* output, int cout, int first, int end)
    {
        if (!overwrite)
        {
            return;
        }

        for (int r = first; r < end; r++)
        {
            Span<float> row = new(output + ((long)r * cout), cout);
            if (perSample is null)
            {
                row.Clear();
            }
            else
            {
                new ReadOnlySpan<float>(perSample + ((long)sampleOfRow[r] * cout), cout).CopyTo(row);
            }
        }
    }

    public void Finish(float* output, int cout, int first, int end, SimdLevel level)
    {
        if (activate)
        {
            float* rows = output + ((long)first * cout);
            Activations.LeakyRelu(rows, rows, (nuint)((long)(end - first) * cout), slope, level);
        }
    }
}
