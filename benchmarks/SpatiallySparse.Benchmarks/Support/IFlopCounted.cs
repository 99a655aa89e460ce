namespace SpatiallySparse.Benchmarks.Support;

/// <summary>
/// A benchmark class whose methods do a known number of floating-point operations per invocation. The host
/// process (which renders columns) builds its own instance, so the count must not depend on setup state.
/// </summary>
public interface IFlopCounted
{
    /// <summary>FLOPs (one multiply-add = 2) of one invocation of <paramref name="method"/> with the given parameter values.</summary>
    double Flops(string method, IReadOnlyDictionary<string, object> parameters);
}
