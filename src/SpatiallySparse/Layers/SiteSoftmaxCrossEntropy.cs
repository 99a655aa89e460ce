using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>
/// Softmax cross-entropy per active site (segmentation): one label per row of a sparse tensor of logits, the loss
/// averaged over the batch's active sites. Inactive sites carry no label, so the ground state gets no gradient.
/// Its backward seeds the tape's gradient.
/// </summary>
public static class SiteSoftmaxCrossEntropy
{
    /// <summary>
    /// The mean loss of <paramref name="logits"/> (ActiveCount x K) against <paramref name="labels"/> (one per active
    /// row, in the tensor's row order), recorded on <paramref name="tape"/>; writes each site's arg-max class into
    /// <paramref name="predictions"/> unless it is empty (else of length ActiveCount).
    /// </summary>
    /// <exception cref="ArgumentException">Wrong label or prediction count.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A label outside [0, K); the message names the row.</exception>
    public static float Compute(SparseTensor logits, int[] labels, Tape tape, Span<int> predictions)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(tape);
        int rows = logits.ActiveCount, classes = logits.Channels;
        if (labels.Length != rows)
            throw new ArgumentException($"{labels.Length} labels for {rows} active sites; give one label per active site.", nameof(labels));
        if (!predictions.IsEmpty && predictions.Length != rows)
            throw new ArgumentException($"{predictions.Length} prediction slots for {rows} active sites.", nameof(predictions));
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} of active site {i} is outside [0, {classes - 1}].");
        ISparseBackend be = logits.Backend;
        FeatureMatrix probabilities = tape.OwnScratch(be.Allocate(rows, classes));
        float loss = rows == 0 ? 0f : be.SoftmaxCrossEntropy(logits.Features, labels, probabilities);
        if (tape.IsRecording && rows > 0)
            tape.Record(SoftmaxCrossEntropy.Node.Of(logits, labels, probabilities));
        if (!predictions.IsEmpty)
            SoftmaxCrossEntropy.ArgMax(probabilities, predictions);
        return loss;
    }
}
