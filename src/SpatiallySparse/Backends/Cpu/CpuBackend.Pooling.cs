using System.Numerics.Tensors;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void MaxPoolForward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid,
        bool includeGround, FeatureMatrix output)
    {
        CheckPooling(input, inputGround, rules, outputGrid, output);
        ReadOnlySpan<int> outputSample = outputGrid.SampleOfRow;
        Span<float> x = Host(input), g = Host(inputGround), y = Host(output);
        ReadOnlySpan<int> table = rules.NeighbourTable;
        int c = input.Columns, taps = rules.FilterVolume;
        for (int o = 0; o < rules.OutputRows; o++)
        {
            Span<float> yo = y.Slice(o * c, c);
            ReadOnlySpan<int> window = table.Slice(o * taps, taps);
            bool full = true, first = true;
            foreach (int i in window)
            {
                if (i < 0)
                {
                    full = false;
                    continue;
                }
                if (first)
                    x.Slice(i * c, c).CopyTo(yo);
                else
                    TensorPrimitives.Max(yo, x.Slice(i * c, c), yo);
                first = false;
            }
            if (includeGround && !full)
                TensorPrimitives.Max(yo, g.Slice(outputSample[o] * c, c), yo);
        }
    }

    /// <inheritdoc/>
    public void MaxPoolBackward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid,
        bool includeGround, FeatureMatrix output, FeatureMatrix gradOutput, FeatureMatrix gradInput, FeatureMatrix gradInputGround)
    {
        CheckPooling(input, inputGround, rules, outputGrid, output);
        ReadOnlySpan<int> outputSample = outputGrid.SampleOfRow;
        CheckSameShape(output, gradOutput, "Max pooling output gradient");
        CheckSameShape(input, gradInput, "Max pooling input gradient");
        CheckSameShape(inputGround, gradInputGround, "Max pooling ground gradient");
        Span<float> x = Host(input), y = Host(output), dy = Host(gradOutput), dx = Host(gradInput), dg = Host(gradInputGround);
        ReadOnlySpan<int> table = rules.NeighbourTable;
        int c = input.Columns, taps = rules.FilterVolume;
        for (int o = 0; o < rules.OutputRows; o++)
        {
            ReadOnlySpan<int> window = table.Slice(o * taps, taps);
            for (int ch = 0; ch < c; ch++)
            {
                float target = y[o * c + ch], grad = dy[o * c + ch];
                int source = -1;
                foreach (int i in window)
                    if (i >= 0 && x[i * c + ch] == target)
                    {
                        source = i;
                        break;
                    }
                if (source >= 0)
                    dx[source * c + ch] += grad;
                else if (includeGround)
                    dg[outputSample[o] * c + ch] += grad;
            }
        }
    }

    /// <inheritdoc/>
    public void AveragePoolForward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid,
        bool includeGround, FeatureMatrix output)
    {
        CheckPooling(input, inputGround, rules, outputGrid, output);
        ReadOnlySpan<int> outputSample = outputGrid.SampleOfRow;
        Span<float> x = Host(input), g = Host(inputGround), y = Host(output);
        ReadOnlySpan<int> table = rules.NeighbourTable;
        int c = input.Columns, taps = rules.FilterVolume;
        float scale = 1f / taps;
        for (int o = 0; o < rules.OutputRows; o++)
        {
            Span<float> yo = y.Slice(o * c, c);
            yo.Clear();
            int missing = 0;
            foreach (int i in table.Slice(o * taps, taps))
                if (i >= 0)
                    TensorPrimitives.Add(yo, x.Slice(i * c, c), yo);
                else
                    missing++;
            if (includeGround && missing > 0)
                TensorPrimitives.MultiplyAdd(g.Slice(outputSample[o] * c, c), missing, yo, yo);
            TensorPrimitives.Multiply(yo, scale, yo);
        }
    }

    /// <inheritdoc/>
    public void AveragePoolBackward(RuleBook rules, SparseGrid outputGrid, bool includeGround, FeatureMatrix gradOutput,
        FeatureMatrix gradInput, FeatureMatrix gradInputGround)
    {
        ReadOnlySpan<int> outputSample = outputGrid.SampleOfRow;
        if (gradOutput.Rows != rules.OutputRows || gradInput.Rows != rules.InputRows || outputSample.Length != rules.OutputRows
            || gradInput.Columns != gradOutput.Columns || gradInputGround.Columns != gradOutput.Columns)
            throw new ArgumentException($"Average pooling backward: shapes do not match {rules}.");
        Span<float> dy = Host(gradOutput), dx = Host(gradInput), dg = Host(gradInputGround);
        ReadOnlySpan<int> table = rules.NeighbourTable;
        int c = gradOutput.Columns, taps = rules.FilterVolume;
        float scale = 1f / taps;
        for (int o = 0; o < rules.OutputRows; o++)
        {
            Span<float> dyo = dy.Slice(o * c, c);
            int missing = 0;
            foreach (int i in table.Slice(o * taps, taps))
                if (i >= 0)
                    TensorPrimitives.MultiplyAdd(dyo, scale, dx.Slice(i * c, c), dx.Slice(i * c, c));
                else
                    missing++;
            if (includeGround && missing > 0)
            {
                Span<float> dgo = dg.Slice(outputSample[o] * c, c);
                TensorPrimitives.MultiplyAdd(dyo, scale * missing, dgo, dgo);
            }
        }
    }

    private static void CheckPooling(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid, FeatureMatrix output)
    {
        if (input.Rows != rules.InputRows || output.Rows != rules.OutputRows || outputGrid.ActiveCount != rules.OutputRows)
            throw new ArgumentException($"Pooling: {rules} does not match {input.Rows} input rows and {output.Rows} output rows.");
        if (input.Columns != output.Columns || inputGround.Columns != input.Columns)
            throw new ArgumentException($"Pooling keeps the channel count: input {input.Columns}, ground {inputGround.Columns}, output {output.Columns}.");
    }
}
