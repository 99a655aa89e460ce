using SpatiallySparse.Layers;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// SYNTHETIC pen strokes, not handwriting: a stand-in for Assamese characters until the library renders the
/// real data set. Each sample is 3-6 smooth random curves of unit steps inside a central box of the grid, drawn
/// one pixel wide (feature 1), so the active-site count is of the order of a rendered character's. Timings
/// measured on it are labelled "synthetic strokes" wherever they are reported.
/// </summary>
public static class SyntheticStrokes
{
    /// <summary>Batch <paramref name="index"/>: <paramref name="batch"/> samples on a <paramref name="gridSide"/>² grid, strokes within the central <paramref name="box"/>², labels b mod <paramref name="classes"/>.</summary>
    public static (SparseInput Input, int[] Labels) Batch(int index, int batch, int gridSide, int box, int classes)
    {
        Random random = new(1000 + index);
        SparseInput input = new(batch, 2, 1);
        int[] labels = new int[batch];
        int lo = (gridSide - box) / 2, hi = lo + box - 1;
        for (int b = 0; b < batch; b++)
        {
            labels[b] = (index * batch + b) % classes;
            HashSet<(int, int)> drawn = [];
            int strokes = random.Next(3, 7);
            for (int s = 0; s < strokes; s++)
            {
                double y = lo + random.NextDouble() * box, x = lo + random.NextDouble() * box;
                double angle = random.NextDouble() * 2 * Math.PI, turn = 0;
                int length = random.Next(box / 2, 2 * box);
                for (int t = 0; t < length; t++)
                {
                    turn = 0.8 * turn + 0.15 * (random.NextDouble() - 0.5);
                    angle += turn;
                    y = Math.Clamp(y + Math.Sin(angle), lo, hi);
                    x = Math.Clamp(x + Math.Cos(angle), lo, hi);
                    (int, int) site = ((int)Math.Round(y), (int)Math.Round(x));
                    if (drawn.Add(site))
                        input.Add(b, [site.Item1, site.Item2], 1f);
                }
            }
        }
        return (input, labels);
    }
}
