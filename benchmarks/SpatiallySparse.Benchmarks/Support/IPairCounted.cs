namespace SpatiallySparse.Benchmarks.Support;

/// <summary>
/// A benchmark class whose methods build a known number of rulebook pairs per invocation (for
/// <see cref="PairRateColumn"/>). Like <see cref="IFlopCounted"/>, the count must not depend on setup state.
/// </summary>
public interface IPairCounted
{
    /// <summary>Rulebook pairs built by one invocation of <paramref name="method"/> with the given parameter values.</summary>
    double Pairs(string method, IReadOnlyDictionary<string, object> parameters);
}
