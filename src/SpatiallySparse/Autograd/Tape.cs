using SpatiallySparse.Backends;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Autograd;

/// <summary>
/// Records one backward step per forward op (micrograd style) and replays them in reverse on
/// <see cref="Backward()"/>; gradients accumulate. The tape also owns every intermediate tensor and scratch
/// matrix of the step, so disposing it frees the step. A tape made with <c>recordGradients: false</c>
/// (inference) records nothing but still owns the intermediates. A training loop may <see cref="Reset"/> one
/// tape per step instead of making a new one; either way, after warm-up the tape's own storage and the
/// built-in layers' backward steps are recycled rather than allocated.
/// </summary>
public sealed class Tape : IDisposable
{
    private Lists? _lists = Lists.Rent();
    private bool _ranBackward;

    /// <summary>Creates a tape; with <paramref name="recordGradients"/> false, layers record no backward work.</summary>
    public Tape(bool recordGradients = true)
    {
        IsRecording = recordGradients;
    }

    /// <summary>True when forward ops record their backward closures.</summary>
    public bool IsRecording { get; }

    /// <summary>Number of recorded backward steps.</summary>
    public int Count => _lists?.Nodes.Count ?? 0;

    /// <summary>Records the backward closure of an op just run (ignored when not recording).</summary>
    public void Record(Action backward)
    {
        ArgumentNullException.ThrowIfNull(backward);
        Lists lists = Live;
        if (IsRecording)
            lists.Nodes.Add(ActionNode.Of(backward));
    }

    /// <summary>Records a built-in op's backward node; when not recording, the node goes straight back to its pool.</summary>
    internal void Record(TapeNode node)
    {
        if (_lists is null || !IsRecording)
        {
            node.Release();
            _ = Live;  // throws when disposed
            return;
        }
        _lists.Nodes.Add(node);
    }

    /// <summary>Takes ownership of <paramref name="item"/>: it is disposed with the tape. Returns it.</summary>
    public T Own<T>(T item)
        where T : IDisposable
    {
        ArgumentNullException.ThrowIfNull(item);
        Lists lists = Live;
        lists.Owned.Add(item);
        if (item is Tensor tensor)
            tensor.OwnedByTape = true;
        return item;
    }

    /// <summary>
    /// Gives up ownership of <paramref name="item"/> (an inference result handed to the caller): the tape will
    /// not dispose it.
    /// </summary>
    internal void Disown(IDisposable item)
    {
        List<IDisposable> owned = Live.Owned;
        int index = owned.LastIndexOf(item);  // results are owned last: a short search from the end
        if (index < 0)
            throw new InvalidOperationException($"{item} is not owned by this tape.");
        owned.RemoveAt(index);
        if (item is Tensor tensor)
            tensor.OwnedByTape = false;
    }

    /// <summary>Claims <paramref name="module"/> for this step's thread until the tape is reset or disposed.</summary>
    internal void Claim(Module module)
    {
        Lists lists = Live;
        module.Claim();
        lists.Claims.Add(module);
        lists.ClaimPositions.Add(lists.Nodes.Count);
    }

    /// <summary>The live lists, or a clear exception once the tape is disposed.</summary>
    private Lists Live => _lists ?? throw new ObjectDisposedException(nameof(Tape),
        "This Tape was disposed; record the next step on a new Tape (or keep one and call Reset after each step instead of disposing it).");

    /// <summary>
    /// <see cref="Own{T}"/> for a layer's scratch matrix, which nothing but the layer and its backward node ever
    /// sees: freeing the step recycles the matrix object itself as well as its storage.
    /// </summary>
    internal FeatureMatrix OwnScratch(FeatureMatrix matrix)
    {
        Own(matrix);
        matrix.Recyclable = true;
        return matrix;
    }

    /// <summary>Runs the recorded steps in reverse order. The loss op seeds its own gradient.</summary>
    public void Backward() => Backward(null);

    /// <summary>
    /// Runs the recorded steps in reverse order, as <see cref="Backward()"/> does, and calls
    /// <paramref name="moduleFinished"/> once for each module that ran a forward on this tape, as soon as every
    /// step recorded since its first forward began has run: from then on its own parameters' gradients are final
    /// (unless an op recorded before that forward also uses them). Data-parallel training uses this to start
    /// communicating a layer's gradients while backward continues with the earlier layers.
    /// </summary>
    /// <param name="moduleFinished">Called on the calling thread, last layer first; null: no calls.</param>
    public void Backward(Action<Module>? moduleFinished)
    {
        Lists lists = Live;
        if (!IsRecording)
            throw new InvalidOperationException("This tape was created with recordGradients: false and holds no backward work.");
        if (_ranBackward)
            throw new InvalidOperationException("Backward has already run on this tape; reset it or record the next step on a new tape.");
        _ranBackward = true;
        List<TapeNode> nodes = lists.Nodes;
        if (moduleFinished is null)
        {
            for (int i = nodes.Count - 1; i >= 0; i--)
                nodes[i].Backward();
            return;
        }
        List<(int Position, Module Module)> finishes = FirstClaims(lists);
        int next = Announce(finishes, 0, nodes.Count, moduleFinished);
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            nodes[i].Backward();
            next = Announce(finishes, next, i, moduleFinished);
        }
    }

    /// <summary>Each claimed module once, at the node count of its first claim, latest first.</summary>
    private static List<(int Position, Module Module)> FirstClaims(Lists lists)
    {
        HashSet<Module> seen = new(ReferenceEqualityComparer.Instance);
        List<(int Position, Module Module)> finishes = [];
        for (int i = 0; i < lists.Claims.Count; i++)
            if (seen.Add(lists.Claims[i]))
                finishes.Add((lists.ClaimPositions[i], lists.Claims[i]));
        // Claims come in time order, so positions never decrease: reversing gives latest first, and on a tie
        // (a module and its first child claim at the same count) the child first.
        finishes.Reverse();
        return finishes;
    }

    /// <summary>Calls back every module whose first claim came at node <paramref name="done"/> or later.</summary>
    private static int Announce(List<(int Position, Module Module)> finishes, int next, int done, Action<Module> moduleFinished)
    {
        while (next < finishes.Count && finishes[next].Position >= done)
            moduleFinished(finishes[next++].Module);
        return next;
    }

    /// <summary>
    /// Frees the step, as <see cref="Dispose"/> does (its tensors, matrices and geometry throw on use afterwards),
    /// and leaves the tape empty and ready to record the next step.
    /// </summary>
    public void Reset()
    {
        Lists lists = Live;
        FreeStep(lists);
        _ranBackward = false;
    }

    /// <summary>Frees every tensor and matrix the step owns.</summary>
    public void Dispose()
    {
        Lists? lists = _lists;
        if (lists is null)
            return;
        _lists = null;
        FreeStep(lists);
        lists.Return();
    }

    private static void FreeStep(Lists lists)
    {
        List<TapeNode> nodes = lists.Nodes;
        for (int i = 0; i < nodes.Count; i++)
            nodes[i].Release();
        nodes.Clear();
        List<IDisposable> owned = lists.Owned;
        for (int i = owned.Count - 1; i >= 0; i--)
            owned[i].Dispose();
        owned.Clear();
        List<Module> claims = lists.Claims;
        for (int i = 0; i < claims.Count; i++)
            claims[i].Release();
        claims.Clear();
        lists.ClaimPositions.Clear();
    }

    /// <summary>
    /// A tape's lists, recycled through a few static slots (as <see cref="Geometry.Metadata"/> recycles its
    /// tables): emptied lists keep their capacity, so a new tape per step allocates only itself.
    /// </summary>
    private sealed record Lists(List<TapeNode> Nodes, List<IDisposable> Owned, List<Module> Claims, List<int> ClaimPositions)
    {
        private static readonly Lists?[] Free = new Lists?[8];

        public static Lists Rent()
        {
            for (int i = 0; i < Free.Length; i++)
                if (Interlocked.Exchange(ref Free[i], null) is { } lists)
                    return lists;
            return new Lists([], [], [], []);
        }

        public void Return()
        {
            for (int i = 0; i < Free.Length; i++)
                if (Interlocked.CompareExchange(ref Free[i], this, null) is null)
                    return;
        }
    }
}
