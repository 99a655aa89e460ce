namespace SpatiallySparse.Serialization;

/// <summary>Compares a checkpoint's run-settings record with the current run's.</summary>
internal static class RunSettings
{
    /// <summary>One line per setting that differs (absent on one side counts), naming both values; empty when equal.</summary>
    public static List<string> Differences(IReadOnlyDictionary<string, string> saved, IReadOnlyDictionary<string, string> current)
    {
        List<string> differences = [];
        foreach (string key in saved.Keys.Union(current.Keys).Order(StringComparer.Ordinal))
        {
            string? before = saved.GetValueOrDefault(key), now = current.GetValueOrDefault(key);
            if (!string.Equals(before, now, StringComparison.Ordinal))
                differences.Add($"setting '{key}' is {Show(before)} in the checkpoint but {Show(now)} in this run");
        }
        return differences;
    }

    private static string Show(string? value) => value is null ? "absent" : $"'{value}'";
}
