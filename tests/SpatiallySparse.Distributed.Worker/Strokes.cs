using SpatiallySparse.Layers;

namespace SpatiallySparse.Distributed.Worker;

/// <summary>
/// A synthetic digit-like data set: sample i is a few random-walk strokes drawn from a generator seeded by i
/// (about 150 active sites on a 96 x 96 grid, as an MNIST digit), labelled by its stroke count and direction,
/// so that a network can learn it and every process builds the same sample i.
/// </summary>
internal static class Strokes
{
    public const int Classes = 10;

    public static int Label(int index) => new Random(index).Next(Classes);

    public static void Add(SparseInput input, int slot, int index, int side)
    {
        Random random = new(index);
        int label = random.Next(Classes), strokes = 1 + label % 3, direction = label / 3;
        int steps = side * 3 / 4 / strokes;
        HashSet<(int, int)> seen = [];
        for (int s = 0; s < strokes; s++)
        {
            int x = random.Next(side / 4, 3 * side / 4), y = random.Next(side / 4, 3 * side / 4);
            for (int t = 0; t < steps; t++)
            {
                x = Math.Clamp(x + (direction % 2 == 0 ? 1 : 0) + random.Next(-1, 2), 0, side - 1);
                y = Math.Clamp(y + (direction >= 2 ? 1 : 0) + random.Next(-1, 2), 0, side - 1);
                if (seen.Add((x, y)))
                    input.Add(slot, [x, y], 0.5f + 0.5f * t / steps);
            }
        }
    }
}
