using System.Globalization;
using System.Text.RegularExpressions;

namespace SpatiallySparse.Serialization;

/// <summary>
/// Names of checkpoint folders: <c>epoch-EEEEEEEEEE-step-SSSSSSSSSS</c>, ten digits each (any non-negative
/// <see cref="int"/>), so ordinal order is run order. Folders being written end in <c>.tmp-…</c> and folders
/// being pruned in <c>.deleting</c>; neither matches, so "latest" never picks a partial one.
/// </summary>
internal static partial class CheckpointNames
{
    public const string DeletingSuffix = ".deleting";
    public const string TemporaryMarker = ".tmp-";

    /// <summary>The folder name for a position.</summary>
    public static string For(int epoch, int stepInEpoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(stepInEpoch);
        return string.Create(CultureInfo.InvariantCulture, $"epoch-{epoch:D10}-step-{stepInEpoch:D10}");
    }

    /// <summary>True for the name of a complete checkpoint folder.</summary>
    public static bool IsComplete(string name) => Pattern().IsMatch(name);

    /// <summary>True for leftovers of an interrupted save or prune.</summary>
    public static bool IsLeftover(string name) =>
        name.StartsWith("epoch-", StringComparison.Ordinal) &&
        (name.Contains(TemporaryMarker, StringComparison.Ordinal) || name.EndsWith(DeletingSuffix, StringComparison.Ordinal));

    [GeneratedRegex(@"^epoch-\d{10}-step-\d{10}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
