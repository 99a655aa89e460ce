using AssameseHandwriting;
using SpatiallySparse.Handwriting;
using SpatiallySparse.Layers;
using SpatiallySparse.Samples.Common;

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

    /// <summary>The data folder, found as the Assamese sample finds it (see <see cref="DataFolder.Locate"/>).</summary>
    public static string Locate() => new DataFolder().Locate(AssameseData.Spec, null).Path;

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
