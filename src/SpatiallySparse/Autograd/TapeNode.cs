namespace SpatiallySparse.Autograd;

/// <summary>
/// One recorded backward step. The library's layers record pooled nodes instead of closures, so a warm training
/// step allocates no backward work: the tape runs <see cref="Backward"/> in reverse order and calls
/// <see cref="Release"/> when it is disposed or reset, after which the node holds no tensor and may be reused.
/// </summary>
internal abstract class TapeNode
{
    /// <summary>The op's backward (gradients accumulate).</summary>
    public abstract void Backward();

    /// <summary>Drops every reference to the step and gives the node back to its pool.</summary>
    public abstract void Release();
}

/// <summary>
/// A node type recycled through its own <see cref="RecyclePool{T}"/>. Nodes are reachable only from the tape that
/// recorded them, which forgets them as it releases them, so a recycled node can never be replayed by a stale tape.
/// </summary>
internal abstract class PooledNode<TSelf> : TapeNode
    where TSelf : PooledNode<TSelf>, new()
{
    /// <summary>A node from the free list, or a new one.</summary>
    public static TSelf Rent() => RecyclePool<TSelf>.TryRent() ?? new TSelf();

    /// <inheritdoc/>
    public sealed override void Release()
    {
        Clear();
        RecyclePool<TSelf>.Return((TSelf)this);
    }

    /// <summary>Sets every field that refers to the step's tensors, matrices or geometry to null.</summary>
    protected abstract void Clear();
}

/// <summary>A closure recorded through <see cref="Tape.Record(Action)"/> (custom layers, the less common built-in ones).</summary>
internal sealed class ActionNode : PooledNode<ActionNode>
{
    private Action? _backward;

    public static ActionNode Of(Action backward)
    {
        ActionNode node = Rent();
        node._backward = backward;
        return node;
    }

    public override void Backward() => _backward!();

    protected override void Clear() => _backward = null;
}
