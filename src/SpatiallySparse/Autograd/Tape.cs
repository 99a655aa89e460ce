namespace SpatiallySparse.Autograd;

/// <summary>
/// Records one backward closure per forward op (micrograd style) and replays them in reverse on
/// <see cref="Backward"/>; gradients accumulate. The tape also owns every intermediate tensor and scratch
/// matrix of the step, so disposing it frees the step. A tape made with <c>recordGradients: false</c>
/// (inference) records nothing but still owns the intermediates.
/// </summary>
public sealed class Tape : IDisposable
{
    private readonly List<Action> _backward = [];
    private readonly List<IDisposable> _owned = [];
    private bool _ranBackward;
    private bool _disposed;

    /// <summary>Creates a tape; with <paramref name="recordGradients"/> false, layers record no backward work.</summary>
    public Tape(bool recordGradients = true)
    {
        IsRecording = recordGradients;
    }

    /// <summary>True when forward ops record their backward closures.</summary>
    public bool IsRecording { get; }

    /// <summary>Number of recorded backward closures.</summary>
    public int Count => _backward.Count;

    /// <summary>Records the backward closure of an op just run (ignored when not recording).</summary>
    public void Record(Action backward)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsRecording)
            _backward.Add(backward);
    }

    /// <summary>Takes ownership of <paramref name="item"/>: it is disposed with the tape. Returns it.</summary>
    public T Own<T>(T item)
        where T : IDisposable
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _owned.Add(item);
        return item;
    }

    /// <summary>Runs the recorded closures in reverse order. The loss op seeds its own gradient.</summary>
    public void Backward()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!IsRecording)
            throw new InvalidOperationException("This tape was created with recordGradients: false and holds no backward work.");
        if (_ranBackward)
            throw new InvalidOperationException("Backward has already run on this tape; record a new step on a new tape.");
        _ranBackward = true;
        for (int i = _backward.Count - 1; i >= 0; i--)
            _backward[i]();
    }

    /// <summary>Frees every tensor and matrix the step owns.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        for (int i = _owned.Count - 1; i >= 0; i--)
            _owned[i].Dispose();
        _owned.Clear();
        _backward.Clear();
    }
}
