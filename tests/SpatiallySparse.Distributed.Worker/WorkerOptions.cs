using System.Globalization;

namespace SpatiallySparse.Distributed.Worker;

/// <summary>The worker's command line: <c>--name value</c> pairs, every one optional.</summary>
internal sealed class WorkerOptions
{
    private readonly Dictionary<string, string> _values = [];

    public WorkerOptions(string[] args)
    {
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Argument {i} is '{args[i]}'; expected --name value pairs.");
            _values[args[i][2..]] = args[i + 1];
        }
    }

    public string Text(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    public int Int(string name, int fallback) => _values.TryGetValue(name, out string? v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => Text(name, "false") == "true";
}
