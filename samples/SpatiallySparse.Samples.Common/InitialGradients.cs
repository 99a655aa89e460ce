using System.Globalization;
using SpatiallySparse.Autograd;
using SpatiallySparse.Data;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Samples.Common;

/// <summary>One weight matrix's scale and its gradient's, on one batch.</summary>
/// <param name="Name">The dotted parameter name (<c>2.weight</c>).</param>
/// <param name="Rows">Rows of the matrix.</param>
/// <param name="Columns">Columns of the matrix.</param>
/// <param name="ValueRms">Root mean square of the values.</param>
/// <param name="GradientRms">Root mean square of the loss gradient.</param>
public sealed record GradientScale(string Name, int Rows, int Columns, double ValueRms, double GradientRms)
{
    /// <summary>Gradient RMS over value RMS: about how far one SGD step of learning rate 1 moves the weights, relatively.</summary>
    public double Ratio => GradientRms / ValueRms;
}

/// <summary>What a network does with the first training batch before any step: the diagnosis of an initial plateau.</summary>
/// <param name="Loss">The mean cross-entropy (ln C for an output that ignores its input).</param>
/// <param name="Classes">Classes of the output.</param>
/// <param name="LargestProbability">The largest softmax probability over the batch, times <see cref="Classes"/> (1: every output uniform).</param>
/// <param name="Weights">Every parameter of rank 2 with more than one row (the convolutions' and linear layers' weights), in network order.</param>
public sealed record InitialGradientReport(double Loss, int Classes, double LargestProbability, IReadOnlyList<GradientScale> Weights)
{
    /// <summary>The report as text, one line per weight.</summary>
    public override string ToString()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        List<string> lines =
        [
            string.Create(c, $"loss {Loss:0.0000} (ln {Classes} = {Math.Log(Classes):0.0000}); largest probability x {Classes} = {LargestProbability:0.000}"),
            "parameter            shape       value rms   gradient rms   ratio",
        ];
        lines.AddRange(Weights.Select(w => string.Create(c, $"{w.Name,-20} {w.Rows + "x" + w.Columns,-11} {w.ValueRms,9:0.000e0}   {w.GradientRms,12:0.000e0}   {w.Ratio:0.000e0}")));
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>Measures <see cref="InitialGradientReport"/>: one forward and backward pass of the first training batch, no step.</summary>
public static class InitialGradients
{
    /// <summary>
    /// Runs <paramref name="model"/> on the first training batch of <paramref name="batchSize"/> (seed
    /// <paramref name="seed"/>, as training would), back-propagates the loss and reports each weight's scale and its
    /// gradient's. The weights are not changed; the gradients are left zeroed.
    /// </summary>
    public static InitialGradientReport Measure(ITrainable model, int batchSize, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        using SparseBatchLoader loader = model.Loader(training: true, batchSize, seed);
        using SparseBatch batch = loader.Epoch(0).First();
        model.Optimizer.ZeroGrad();
        using Tape tape = new();
        LossResult loss = SoftmaxCrossEntropy.Compute(model.Forward(batch, tape), batch.Labels!, tape);
        int classes = loss.Probabilities.Length / batch.Indices.Length;
        tape.Backward();
        List<GradientScale> weights = [];
        foreach ((string name, Parameter p) in model.Network.NamedParameters())
            if (p.Rows > 1)
                weights.Add(new GradientScale(name, p.Rows, p.Columns, Rms(p.GetValues()), Rms(p.Grad.ToArray())));
        model.Optimizer.ZeroGrad();
        return new InitialGradientReport(loss.Value, classes, loss.Probabilities.Max() * classes, weights);
    }

    private static double Rms(float[] values) => Math.Sqrt(values.Sum(v => (double)v * v) / values.Length);
}
