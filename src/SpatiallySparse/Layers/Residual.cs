using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;

namespace SpatiallySparse.Layers;

/// <summary>
/// A residual connection, y = shortcut(x) + inner(x) (identity shortcut by default), on the same active sites: the
/// features add row by row and the ground states add sample by sample, so the sparse sum represents the dense one.
/// With an inner strided-convolution-to-deconvolution path it is a U-Net's additive skip.
/// </summary>
public sealed class Residual : SparseModule
{
    private readonly Module[] _children;

    /// <summary>Creates x + inner(x), or shortcut(x) + inner(x) when <paramref name="shortcut"/> is given (e.g. a <see cref="NetworkInNetwork"/> to change the width).</summary>
    public Residual(Module inner, Module? shortcut = null)
    {
        Inner = Branches.CheckSparse(inner, nameof(inner), 1);
        Shortcut = shortcut is null ? null : Branches.CheckSparse(shortcut, nameof(shortcut), 0);
        _children = shortcut is null ? [inner] : [inner, shortcut];
    }

    /// <summary>The residual branch.</summary>
    public Module Inner { get; }

    /// <summary>The shortcut branch; null for the identity.</summary>
    public Module? Shortcut { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<Module> Children => _children;

    /// <inheritdoc/>
    public override SpatialSize OutputSpatialSize(SpatialSize inputSize) => Branches.OutputSize(Inner, inputSize);

    /// <inheritdoc/>
    protected override SparseTensor ForwardCore(SparseTensor input, Tape tape)
    {
        SparseTensor a = Shortcut is null ? input : Branches.Run(this, Shortcut, 0, input, tape);
        SparseTensor b = Branches.Run(this, Inner, 1, input, tape);
        Branches.CheckSameSites(this, a, b, 1);
        if (a.Channels != b.Channels)
            throw new ArgumentException($"Residual: the shortcut returned {a.Channels} channels and the inner branch {b.Channels}; a sum needs equal widths (give a NetworkInNetwork shortcut).");
        if (Shortcut is not null)
            Branches.MarkRecyclable(Shortcut, a, input);
        Branches.MarkRecyclable(Inner, b, input);
        return Add(a, b, tape);
    }

    private static SparseTensor Add(SparseTensor a, SparseTensor b, Tape tape)
    {
        ISparseBackend be = a.Backend;
        FeatureMatrix features = be.AllocateForOverwrite(a.ActiveCount, a.Channels);
        FeatureMatrix ground = be.AllocateForOverwrite(a.BatchSize, a.Channels);
        be.Copy(a.Features, features);
        be.Add(b.Features, features);
        be.Copy(a.Ground, ground);
        be.Add(b.Ground, ground);
        SparseTensor y = tape.Own(SparseTensor.Create(a.Metadata, a.Grid, features, ground, a.GroundIsZero && b.GroundIsZero));
        if (tape.IsRecording)
            tape.Record(Node.Of(a, b, y));
        return y;
    }

    /// <summary>The sum's backward: both terms receive the output's gradient (pooled, so a step allocates none).</summary>
    private sealed class Node : PooledNode<Node>
    {
        private SparseTensor? _a, _b, _y;

        public static Node Of(SparseTensor a, SparseTensor b, SparseTensor y)
        {
            Node node = Rent();
            (node._a, node._b, node._y) = (a, b, y);
            return node;
        }

        public override void Backward()
        {
            // Gradients accumulate, so x + x (both terms one tensor) correctly receives twice the gradient.
            PassGradient(_y!, _a!);
            PassGradient(_y!, _b!);
        }

        protected override void Clear() => (_a, _b, _y) = (null, null, null);
    }

    /// <summary>term += y's gradients, for features and (unless the term's ground is the constant zero) ground state.</summary>
    internal static void PassGradient(SparseTensor y, SparseTensor term)
    {
        ISparseBackend be = y.Backend;
        if (y.Grad is not null && term.NeedsGradient)
            be.Add(y.Grad, term.GradOrCreate());
        if (y.GroundGrad is not null && !term.GroundIsZero)
            be.Add(y.GroundGrad, term.GroundGradOrCreate());
    }

    /// <summary>E.g. <c>Residual(SubmanifoldConvolution 8->8 3x3x3)</c>; the inner branch's first line only.</summary>
    public override string ToString() =>
        $"Residual({FirstLine(Inner)}{(Shortcut is null ? "" : ", shortcut " + FirstLine(Shortcut))})";

    internal static string FirstLine(Module m)
    {
        string text = m.ToString() ?? m.GetType().Name;
        int newline = text.IndexOf('\n', StringComparison.Ordinal);
        return newline < 0 ? text : text[..newline].TrimEnd('(', ' ');
    }
}
