namespace SpatiallySparse.Layers;

/// <summary>A module that draws random numbers in its forward pass (dropout), restartable from a seed.</summary>
public interface IReseedable
{
    /// <summary>
    /// The module's generator: its state is what a training checkpoint saves so that a resumed run draws the
    /// same masks as an uninterrupted one.
    /// </summary>
    SeededRandom Generator { get; }

    /// <summary>Restarts the module's random sequence from <paramref name="seed"/> (used to resume a run exactly).</summary>
    void Reseed(int seed);
}
