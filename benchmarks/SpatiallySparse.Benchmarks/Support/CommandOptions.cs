using System.Globalization;

namespace SpatiallySparse.Benchmarks.Support;

/// <summary>The options of the plain benchmark commands (step, step-profile, sweep): <c>--name value</c> pairs.</summary>
public sealed class CommandOptions
{
    private readonly Dictionary<string, string> _values = [];

    /// <summary>Parses <paramref name="args"/>; a stray word, a missing value or a name not in <paramref name="known"/> is an error.</summary>
    public CommandOptions(string[] args, params string[] known)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (int i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Expected '--name value' pairs, got '{args[i]}'.");
            string name = args[i][2..];
            if (!known.Contains(name))
                throw new ArgumentException($"Unknown option '{args[i]}'; expected {string.Join(", ", known.Select(k => "--" + k))}.");
            _values[name] = args[i + 1];
        }
    }

    /// <summary>The value of --<paramref name="name"/>, or null when not given.</summary>
    public string? Text(string name) => _values.GetValueOrDefault(name);

    /// <summary>The value of --<paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public string Text(string name, string fallback) => _values.GetValueOrDefault(name, fallback);

    /// <summary>The integer value of --<paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out string? text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
