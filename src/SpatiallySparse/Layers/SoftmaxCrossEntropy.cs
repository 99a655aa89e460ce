using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>Result of a loss evaluation.</summary>
/// <param name="Value">Mean loss over the batch.</param>
/// <param name="Probabilities">Softmax probabilities, B x K row-major.</param>
/// <param name="Predictions">Arg-max class per sample.</param>
public sealed record LossResult(float Value, float[] Probabilities, int[] Predictions)
{
    /// <summary>Number of samples whose prediction equals its label.</summary>
    public int CountCorrect(ReadOnlySpan<int> labels)
    {
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
            if (Predictions[i] == labels[i])
                correct++;
        return correct;
    }
}

/// <summary>Softmax cross-entropy, averaged over the batch. Its backward seeds the tape's gradient.</summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>Computes the loss of <paramref name="logits"/> (B x K) against <paramref name="labels"/> and records its backward.</summary>
    public static LossResult Compute(DenseTensor logits, int[] labels, Tape tape)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(tape);
        ISparseBackend be = logits.Backend;
        FeatureMatrix probabilities = tape.Own(be.Allocate(logits.BatchSize, logits.Width));
        float loss = be.SoftmaxCrossEntropy(logits.Features, labels, probabilities);
        int[] labelCopy = (int[])labels.Clone();
        tape.Record(() => be.SoftmaxCrossEntropyBackward(probabilities, labelCopy, 1f / logits.BatchSize, logits.GradOrCreate()));
        float[] p = probabilities.ToArray();
        int[] predictions = new int[logits.BatchSize];
        for (int b = 0; b < predictions.Length; b++)
        {
            int best = 0;
            for (int k = 1; k < logits.Width; k++)
                if (p[b * logits.Width + k] > p[b * logits.Width + best])
                    best = k;
            predictions[b] = best;
        }
        return new LossResult(loss, p, predictions);
    }
}
