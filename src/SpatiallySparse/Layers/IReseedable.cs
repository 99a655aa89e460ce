namespace SpatiallySparse.Layers;

/// <summary>A module that draws random numbers in its forward pass (dropout), restartable from a seed.</summary>
public interface IReseedable
{
    /// <summary>Restarts the module's random sequence from <paramref name="seed"/> (used to resume a run exactly).</summary>
    void Reseed(int seed);
}
