using System.Buffers;
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
    /// <summary>
    /// Computes the loss of <paramref name="logits"/> (B x K) against <paramref name="labels"/> and records its
    /// backward; the result carries the probabilities and predictions in new host arrays.
    /// </summary>
    public static LossResult Compute(DenseTensor logits, int[] labels, Tape tape)
    {
        float loss = Compute(logits, labels, tape, [], out FeatureMatrix probabilities);
        float[] p = probabilities.ToArray();
        int[] predictions = new int[logits.BatchSize];
        ArgMax(p, logits.Width, predictions);
        return new LossResult(loss, p, predictions);
    }

    /// <summary>
    /// The training loop's form: computes the mean loss and records its backward like
    /// <see cref="Compute(DenseTensor, int[], Tape)"/>, writes each sample's arg-max class into
    /// <paramref name="predictions"/> unless it is empty (else of length B), and allocates nothing once warm.
    /// </summary>
    public static float Compute(DenseTensor logits, int[] labels, Tape tape, Span<int> predictions) =>
        Compute(logits, labels, tape, predictions, out _);

    private static float Compute(DenseTensor logits, int[] labels, Tape tape, Span<int> predictions, out FeatureMatrix probabilities)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(tape);
        if (!predictions.IsEmpty && predictions.Length != logits.BatchSize)
            throw new ArgumentException($"{predictions.Length} prediction slots for a batch of {logits.BatchSize}.", nameof(predictions));
        ISparseBackend be = logits.Backend;
        probabilities = tape.OwnScratch(be.Allocate(logits.BatchSize, logits.Width));  // only copies leave this method
        float loss = be.SoftmaxCrossEntropy(logits.Features, labels, probabilities);
        if (tape.IsRecording)
            tape.Record(Node.Of(logits, labels, probabilities));
        if (!predictions.IsEmpty)
            ArgMax(probabilities, predictions);
        return loss;
    }

    /// <summary>
    /// Each row's arg-max (first on ties), through a pooled host copy: the one home of the row arg-max, shared by
    /// the per-site loss and <see cref="DenseTensor.ArgMax(Span{int})"/>.
    /// </summary>
    internal static void ArgMax(FeatureMatrix probabilities, Span<int> predictions)
    {
        int length = (int)probabilities.Length;
        float[] host = ArrayPool<float>.Shared.Rent(Math.Max(1, length));
        try
        {
            probabilities.Backend.Download(probabilities, host.AsSpan(0, length));
            ArgMax(host.AsSpan(0, length), probabilities.Columns, predictions);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(host);
        }
    }

    private static void ArgMax(ReadOnlySpan<float> p, int k, Span<int> predictions)
    {
        for (int b = 0; b < predictions.Length; b++)
        {
            int best = 0;
            for (int c = 1; c < k; c++)
                if (p[b * k + c] > p[b * k + best])
                    best = c;
            predictions[b] = best;
        }
    }

    /// <summary>
    /// The loss's backward step, for a label per row of any logits (a sample of a dense batch, or an active site for
    /// <see cref="SiteSoftmaxCrossEntropy"/>), the loss being the mean over the rows: pooled, and keeps its own copy
    /// of the labels (the caller may reuse its array).
    /// </summary>
    internal sealed class Node : PooledNode<Node>
    {
        private Tensor? _logits;
        private FeatureMatrix? _probabilities;
        private int[] _labels = [];  // kept when the node is recycled: batches usually keep their size

        public static Node Of(Tensor logits, int[] labels, FeatureMatrix probabilities)
        {
            Node node = Rent();
            if (node._labels.Length != labels.Length)
                node._labels = new int[labels.Length];
            labels.CopyTo(node._labels, 0);
            (node._logits, node._probabilities) = (logits, probabilities);
            return node;
        }

        public override void Backward()
        {
            Tensor logits = _logits!;
            logits.Backend.SoftmaxCrossEntropyBackward(_probabilities!, _labels, 1f / _probabilities!.Rows, logits.GradOrCreate());
        }

        protected override void Clear() => (_logits, _probabilities) = (null, null);
    }
}
