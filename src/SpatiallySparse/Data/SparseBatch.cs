using SpatiallySparse.Autograd;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Data;

/// <summary>
/// One batch from a <see cref="SparseBatchLoader"/>: the samples' points (<see cref="Input"/>), their input tensor
/// (<see cref="Tensor"/>, with the batch's geometry), the sample indices and labels.
/// Ownership: the consumer that received the batch owns it and must <see cref="Dispose"/> it after its step, and
/// after disposing every tape whose tensors derive from <see cref="Tensor"/> (they share its geometry). Disposing
/// frees the tensor and its <see cref="Geometry.Metadata"/> (held by a non-recording tape the batch owns) and hands
/// <see cref="Input"/> back to the loader for a later batch: none of them may be used afterwards.
/// </summary>
public sealed class SparseBatch : IDisposable
{
    private readonly SparseBatchLoader _loader;
    private Tape? _tape;

    internal SparseBatch(SparseBatchLoader loader, int epoch, int index, int[] indices, int[]? labels, SparseInput input, SparseTensor tensor, Tape tape)
    {
        _loader = loader;
        (Epoch, Index, Indices, Labels, Input, Tensor, _tape) = (epoch, index, indices, labels, input, tensor, tape);
    }

    /// <summary>Epoch the batch belongs to.</summary>
    public int Epoch { get; }

    /// <summary>Position of the batch in its epoch (0-based).</summary>
    public int Index { get; }

    /// <summary>Data-set index of the sample in each slot.</summary>
    public int[] Indices { get; }

    /// <summary>Label of the sample in each slot, or null when the loader has no label callback.</summary>
    public int[]? Labels { get; }

    /// <summary>The points as the sample callback added them (owned by the batch until disposed).</summary>
    public SparseInput Input { get; }

    /// <summary>The input tensor built from <see cref="Input"/> on the worker (owned by the batch until disposed).</summary>
    public SparseTensor Tensor { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Indices.Length;

    /// <summary>True once disposed.</summary>
    public bool IsDisposed => _tape is null;

    /// <summary>Frees the tensor and geometry and returns <see cref="Input"/> to the loader; idempotent.</summary>
    public void Dispose()
    {
        Tape? tape = Interlocked.Exchange(ref _tape, null);
        if (tape is null)
            return;
        tape.Dispose();
        _loader.BatchDisposed(Input);
    }
}
