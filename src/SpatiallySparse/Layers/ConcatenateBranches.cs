using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>
/// Runs every branch on the same input and concatenates their feature channels (SparseConvNet's ConcatTable then
/// JoinTable). The branches must return tensors on the same active sites; the ground states are concatenated the
/// same way, so the sparse result represents the dense concatenation. A U-Net joins its skip this way:
/// <c>new ConcatenateBranches(new Identity(), downThenUp)</c>.
/// </summary>
public sealed class ConcatenateBranches : SparseModule
{
    private readonly Module[] _branches;

    /// <summary>Creates the join of <paramref name="branches"/> (at least one), in order.</summary>
    public ConcatenateBranches(params IEnumerable<Module> branches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        _branches = [.. branches];
        if (_branches.Length == 0)
            throw new ArgumentException("ConcatenateBranches needs at least one branch, got 0.", nameof(branches));
        for (int i = 0; i < _branches.Length; i++)
            Branches.CheckSparse(_branches[i], nameof(branches), i);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Module> Children => _branches;

    /// <inheritdoc/>
    public override SpatialSize OutputSpatialSize(SpatialSize inputSize) => Branches.OutputSize(_branches[0], inputSize);

    /// <inheritdoc/>
    protected override SparseTensor ForwardCore(SparseTensor input, Tape tape)
    {
        Node? node = tape.IsRecording ? Node.Rent() : null;
        List<SparseTensor> outputs = node?.Outputs ?? new List<SparseTensor>(_branches.Length);
        try
        {
            int channels = 0;
            for (int i = 0; i < _branches.Length; i++)
            {
                SparseTensor branch = Branches.Run(this, _branches[i], i, input, tape);
                if (i > 0)
                    Branches.CheckSameSites(this, outputs[0], branch, i);
                outputs.Add(branch);
                channels += branch.Channels;
            }
            for (int i = 0; i < _branches.Length; i++)
                Branches.MarkRecyclable(_branches[i], outputs[i], input);
            SparseTensor y = Join(outputs, channels, tape);
            if (node is not null)
            {
                node.Output = y;
                tape.Record(node);
                node = null;
            }
            return y;
        }
        finally
        {
            node?.Release();  // a failed forward records nothing
        }
    }

    private static SparseTensor Join(List<SparseTensor> outputs, int channels, Tape tape)
    {
        SparseTensor first = outputs[0];
        ISparseBackend be = first.Backend;
        FeatureMatrix features = be.AllocateForOverwrite(first.ActiveCount, channels);
        FeatureMatrix ground = be.AllocateForOverwrite(first.BatchSize, channels);
        bool groundIsZero = true;
        int column = 0;
        foreach (SparseTensor x in outputs)
        {
            be.CopyIntoColumns(x.Features, features, column);
            be.CopyIntoColumns(x.Ground, ground, column);
            groundIsZero &= x.GroundIsZero;
            column += x.Channels;
        }
        return tape.Own(SparseTensor.Create(first.Metadata, first.Grid, features, ground, groundIsZero));
    }

    /// <summary>The join's backward: each branch takes its own columns of the gradient (pooled, with its list).</summary>
    private sealed class Node : PooledNode<Node>
    {
        public List<SparseTensor> Outputs { get; } = [];

        public SparseTensor? Output { get; set; }

        public override void Backward()
        {
            SparseTensor y = Output!;
            ISparseBackend be = y.Backend;
            int column = 0;
            foreach (SparseTensor x in Outputs)
            {
                if (y.Grad is not null && x.NeedsGradient)
                    be.AddFromColumns(y.Grad, column, x.GradOrCreate());
                if (y.GroundGrad is not null && !x.GroundIsZero)
                    be.AddFromColumns(y.GroundGrad, column, x.GroundGradOrCreate());
                column += x.Channels;
            }
        }

        protected override void Clear()
        {
            Outputs.Clear();
            Output = null;
        }
    }

    /// <summary>E.g. <c>ConcatenateBranches(Identity | Sequential)</c>, first lines only.</summary>
    public override string ToString() => $"ConcatenateBranches({string.Join(" | ", _branches.Select(Residual.FirstLine))})";
}
