using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using SpatiallySparse.Backends.Cpu.Simd;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void SparseToDense(FeatureMatrix features, FeatureMatrix ground, SparseGrid grid, FeatureMatrix dense)
    {
        int c = features.Columns;
        long volume = grid.Size.Volume;
        CheckShape(dense, grid.BatchSize, checked((int)(c * volume)), "Sparse-to-dense output");
        CheckShape(ground, grid.BatchSize, c, "Sparse-to-dense ground state");
        Span<float> x = Host(features), g = Host(ground), d = Host(dense);
        int width = dense.Columns;
        for (int b = 0; b < grid.BatchSize; b++)
            for (int ch = 0; ch < c; ch++)
                d.Slice(b * width + ch * (int)volume, (int)volume).Fill(g[b * c + ch]);
        ReadOnlySpan<long> linear = grid.LinearIndexOfRow;
        ReadOnlySpan<int> sample = grid.SampleOfRow;
        for (int r = 0; r < grid.ActiveCount; r++)
            for (int ch = 0; ch < c; ch++)
                d[sample[r] * width + ch * (int)volume + (int)linear[r]] = x[r * c + ch];
    }

    /// <inheritdoc/>
    public void SparseToDenseBackward(FeatureMatrix gradDense, SparseGrid grid, FeatureMatrix gradFeatures, FeatureMatrix gradGround)
    {
        int c = gradFeatures.Columns;
        int volume = (int)grid.Size.Volume;
        CheckShape(gradDense, grid.BatchSize, c * volume, "Sparse-to-dense gradient");
        Span<float> gd = Host(gradDense), gx = Host(gradFeatures), gg = Host(gradGround);
        int width = gradDense.Columns;
        // Sum everything into the ground state, then move the active sites' share to their rows.
        for (int b = 0; b < grid.BatchSize; b++)
            for (int ch = 0; ch < c; ch++)
                gg[b * c + ch] += TensorPrimitives.Sum(gd.Slice(b * width + ch * volume, volume));
        ReadOnlySpan<long> linear = grid.LinearIndexOfRow;
        ReadOnlySpan<int> sample = grid.SampleOfRow;
        for (int r = 0; r < grid.ActiveCount; r++)
            for (int ch = 0; ch < c; ch++)
            {
                float v = gd[sample[r] * width + ch * volume + (int)linear[r]];
                gx[r * c + ch] += v;
                gg[sample[r] * c + ch] -= v;
            }
    }

    /// <inheritdoc/>
    public float SoftmaxCrossEntropy(FeatureMatrix logits, int[] labels, FeatureMatrix probabilities)
    {
        CheckSameShape(logits, probabilities, nameof(SoftmaxCrossEntropy));
        CheckLabels(logits, labels);
        Span<float> z = Host(logits), p = Host(probabilities);
        int k = logits.Columns;
        double loss = 0;
        for (int b = 0; b < logits.Rows; b++)
        {
            Span<float> zb = z.Slice(b * k, k), pb = p.Slice(b * k, k);
            float max = TensorPrimitives.Max(zb);
            double sum = 0;
            for (int j = 0; j < k; j++)
                sum += Math.Exp(zb[j] - max);
            for (int j = 0; j < k; j++)
                pb[j] = (float)(Math.Exp(zb[j] - max) / sum);
            loss += Math.Log(sum) + max - zb[labels[b]];
        }
        return (float)(loss / Math.Max(1, logits.Rows));
    }

    /// <inheritdoc/>
    public void SoftmaxCrossEntropyBackward(FeatureMatrix probabilities, int[] labels, float scale, FeatureMatrix gradLogits)
    {
        CheckSameShape(probabilities, gradLogits, nameof(SoftmaxCrossEntropyBackward));
        CheckLabels(probabilities, labels);
        Span<float> p = Host(probabilities), g = Host(gradLogits);
        int k = probabilities.Columns;
        for (int b = 0; b < probabilities.Rows; b++)
        {
            Span<float> gb = g.Slice(b * k, k);
            TensorPrimitives.MultiplyAdd(p.Slice(b * k, k), scale, gb, gb);
            gb[labels[b]] -= scale;
        }
    }

    /// <inheritdoc/>
    public void SgdStep(FeatureMatrix value, FeatureMatrix grad, FeatureMatrix velocity, float learningRate, float momentum,
        float weightDecay, bool nesterov)
    {
        CheckSameShape(value, grad, nameof(SgdStep));
        CheckSameShape(value, velocity, nameof(SgdStep));
        Span<float> w = Host(value), g = Host(grad), v = Host(velocity);
        int i = 0;
        if (Simd == SimdLevel.Vector512)
        {
            // The same multiplies and adds in the same order as the scalar loop (no fused multiply-add): same bits.
            Vector512<float> decay = Vector512.Create(weightDecay), mu = Vector512.Create(momentum), lr = Vector512.Create(learningRate);
            ref float wr = ref MemoryMarshal.GetReference(w), gr = ref MemoryMarshal.GetReference(g), vr = ref MemoryMarshal.GetReference(v);
            for (; i + 16 <= w.Length; i += 16)
            {
                Vector512<float> wi = Vector512.LoadUnsafe(ref wr, (nuint)i);
                Vector512<float> gi = Vector512.LoadUnsafe(ref gr, (nuint)i) + decay * wi;
                Vector512<float> vi = mu * Vector512.LoadUnsafe(ref vr, (nuint)i) + gi;
                vi.StoreUnsafe(ref vr, (nuint)i);
                (wi - lr * (nesterov ? gi + mu * vi : vi)).StoreUnsafe(ref wr, (nuint)i);
            }
        }
        for (; i < w.Length; i++)
        {
            float gi = g[i] + weightDecay * w[i];
            v[i] = momentum * v[i] + gi;
            w[i] -= learningRate * (nesterov ? gi + momentum * v[i] : v[i]);
        }
    }

    private static void CheckLabels(FeatureMatrix logits, int[] labels)
    {
        if (labels.Length != logits.Rows)
            throw new ArgumentException($"{labels.Length} labels for a batch of {logits.Rows}.");
        for (int b = 0; b < labels.Length; b++)
            if ((uint)labels[b] >= (uint)logits.Columns)
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[b]} of sample {b} is outside the {logits.Columns} classes.");
    }
}
