using SpatiallySparse.Autograd;

namespace SpatiallySparse.Distributed;

/// <summary>
/// Consecutive parameters (in backward order: last layer first) whose gradients are all-reduced as one flat
/// buffer. Bucket 0 carries one extra slot, the rank's sample count, so the summed count arrives with the first
/// all-reduce and every later bucket can be scaled by it.
/// </summary>
internal sealed class GradientBucket
{
    public GradientBucket(int index, IReadOnlyList<Parameter> parameters)
    {
        Index = index;
        Parameters = parameters;
        long length = parameters.Sum(p => (long)p.Rows * p.Columns) + (index == 0 ? 1 : 0);
        Buffer = new float[length];
        Sum = new float[length];
    }

    public int Index { get; }

    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>This rank's scaled gradients.</summary>
    public float[] Buffer { get; }

    /// <summary>The sum over the ranks (a second array: MPI forbids the send and receive buffers to alias).</summary>
    public float[] Sum { get; }

    /// <summary>Parameters whose gradient is not yet final in the current step.</summary>
    public int Pending { get; set; }

    /// <summary>Copies every gradient times <paramref name="scale"/> into the buffer (and the count into bucket 0's last slot).</summary>
    public void Gather(float scale, int count)
    {
        int offset = 0;
        foreach (Parameter p in Parameters)
        {
            Span<float> slice = Buffer.AsSpan(offset, p.Rows * p.Columns);
            p.Backend.Download(p.Grad, slice);
            if (scale != 1f)
                System.Numerics.Tensors.TensorPrimitives.Multiply(slice, scale, slice);
            offset += slice.Length;
        }
        if (Index == 0)
            Buffer[offset] = count;
    }

    /// <summary>Writes the sum times <paramref name="scale"/> back into the gradients.</summary>
    public void Scatter(float scale)
    {
        int offset = 0;
        foreach (Parameter p in Parameters)
        {
            Span<float> slice = Sum.AsSpan(offset, p.Rows * p.Columns);
            System.Numerics.Tensors.TensorPrimitives.Multiply(slice, scale, slice);
            p.Backend.Upload(slice, p.Grad);
            offset += slice.Length;
        }
    }

    /// <summary>Splits <paramref name="parameters"/> (already in backward order) into buckets of about <paramref name="bucketFloats"/> values.</summary>
    public static List<GradientBucket> Split(IReadOnlyList<Parameter> parameters, long bucketFloats)
    {
        List<GradientBucket> buckets = [];
        List<Parameter> current = [];
        long size = 0;
        foreach (Parameter p in parameters)
        {
            current.Add(p);
            size += (long)p.Rows * p.Columns;
            if (size >= bucketFloats)
            {
                buckets.Add(new GradientBucket(buckets.Count, current));
                (current, size) = ([], 0);
            }
        }
        if (current.Count > 0 || buckets.Count == 0)
            buckets.Add(new GradientBucket(buckets.Count, current));
        return buckets;
    }
}
