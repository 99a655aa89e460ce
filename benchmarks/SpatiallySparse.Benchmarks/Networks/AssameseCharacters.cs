using AssameseHandwriting;
using SpatiallySparse.Handwriting;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// Real Assamese characters as DeepCNet batches, rendered as the Assamese sample renders its DeepCNet input:
/// the UCI files of writers 1-36 in file order, each normalised to a longer side of 64 cells and drawn into the
/// middle of the grid, one ink feature per active site, no augmentation.
/// </summary>
public sealed class AssameseCharacters
{
    private readonly IReadOnlyList<AssameseSample> _samples;
    private readonly StrokeRenderer _renderer;

    private AssameseCharacters(IReadOnlyList<AssameseSample> samples, int gridSide)
    {
        _samples = samples;
        _renderer = new StrokeRenderer(gridSide, StrokeFeatures.Ink);
    }

    /// <summary>Reads the training writers' characters from the data folder (<see cref="Locate"/>) for a <paramref name="gridSide"/>² grid.</summary>
    public static AssameseCharacters Load(string folder, int gridSide)
    {
        IReadOnlyList<AssameseSample> all = AssameseData.Load(folder, verify: false);
        AssameseSample[] train = [.. all.Where(s => s.Writer <= 36).Select(s => s with { Character = s.Character.Normalize(64f) })];
        return new AssameseCharacters(train, gridSide);
    }

    /// <summary>
    /// The data folder: <c>$SPATIALLYSPARSE_DATA</c> (itself or its <c>assamese</c> sub-folder), else
    /// <c>shared/data/assamese</c> in the current folder or one above it.
    /// </summary>
    public static string Locate()
    {
        static bool Holds(string folder) => Directory.Exists(Path.Combine(folder, AssameseData.Root));
        string? variable = Environment.GetEnvironmentVariable(MnistDigits.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(variable))
        {
            foreach (string candidate in new[] { Path.Combine(variable, "assamese"), variable })
                if (Holds(candidate))
                    return candidate;
            throw new DirectoryNotFoundException($"${MnistDigits.EnvironmentVariable} = '{variable}' holds no '{AssameseData.Root}' folder, nor does its assamese sub-folder.");
        }
        for (DirectoryInfo? d = new(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "shared", "data", "assamese");
            if (Holds(candidate))
                return candidate;
        }
        throw new DirectoryNotFoundException($"Assamese data not found: set ${MnistDigits.EnvironmentVariable} or run below a folder holding shared/data/assamese.");
    }

    /// <summary>Batch <paramref name="index"/> (characters index·batch .., wrapping around), with labels.</summary>
    public (SparseInput Input, int[] Labels) Batch(int index, int batch)
    {
        SparseInput input = new(batch, 2, _renderer.Channels);
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            AssameseSample sample = _samples[(index * batch + b) % _samples.Count];
            labels[b] = sample.Label;
            _renderer.Render(sample.Character, input, b);
        }
        return (input, labels);
    }
}
