using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SpatiallySparse.Geometry;

/// <summary>
/// The per-sample loops of <see cref="PlanarRules"/>. They index tables and scratch through ref locals, unchecked:
/// the JIT cannot see that table entries stay inside the grids, and the bounds checks and the registers their
/// lengths held made these loops spill. What keeps every index in range: a site of an input grid of H x W is below
/// H * W, so x0 &lt; H and x1 &lt; W; table entries are windows of the output grid (see <see cref="PlanarAxis"/>);
/// cursors stay inside their tap's run (checked after the pass, in <see cref="Plan.Pairs"/>).
/// </summary>
internal static partial class PlanarRules
{
    /// <summary>Output rows [RowLo, RowHi] and bitmap words [WordLo, WordHi] of a row that a sample's bits may occupy.</summary>
    private readonly record struct BitBox(int RowLo, int RowHi, int WordLo, int WordHi);

    private partial struct Plan
    {
        /// <summary>
        /// Sets the bit of every window of the input <paramref name="sites"/> (one sample's) in <paramref name="bits"/>
        /// (an output row is a run of <see cref="_wordsPerRow"/> words; an input's windows in a row are at most 64
        /// consecutive bits, so two words) and counts the inputs per pair of row and column classes.
        /// </summary>
        private readonly BitBox SetBits(ReadOnlySpan<long> sites, Span<ulong> bits, Span<int> perClass)
        {
            ref int first0 = ref MemoryMarshal.GetReference(_rows.First), last0 = ref MemoryMarshal.GetReference(_rows.Last);
            ref int class0 = ref MemoryMarshal.GetReference(_rows.Class), class1 = ref MemoryMarshal.GetReference(_columns.Class);
            ref int word1 = ref MemoryMarshal.GetReference(_columns.Word);
            ref ulong masks = ref MemoryMarshal.GetReference(_columns.Masks), bit = ref MemoryMarshal.GetReference(bits);
            ref int counts = ref MemoryMarshal.GetReference(perClass);
            FastDivisor byWidth = _byWidth;
            int width = _columns.Length, classes1 = _columns.Classes, stride = _wordsPerRow;
            int rowLo = int.MaxValue, rowHi = -1, wordLo = int.MaxValue, wordHi = -1;
            foreach (long site in sites)
            {
                int x0 = (int)byWidth.Divide((uint)site), x1 = (int)site - x0 * width;
                Unsafe.Add(ref counts, Unsafe.Add(ref class0, x0) * classes1 + Unsafe.Add(ref class1, x1))++;
                int lo0 = Unsafe.Add(ref first0, x0), hi0 = Unsafe.Add(ref last0, x0), word = Unsafe.Add(ref word1, x1);
                ulong low = Unsafe.Add(ref masks, 2 * x1), high = Unsafe.Add(ref masks, 2 * x1 + 1);
                (rowLo, rowHi) = (Math.Min(rowLo, lo0), Math.Max(rowHi, hi0));
                (wordLo, wordHi) = (Math.Min(wordLo, word), Math.Max(wordHi, word));
                for (int i = lo0 * stride + word, end = hi0 * stride + word; i <= end; i += stride)
                {
                    Unsafe.Add(ref bit, i) |= low;
                    Unsafe.Add(ref bit, i + 1) |= high;
                }
            }
            return new BitBox(rowLo, rowHi, wordLo, wordHi + 1);
        }

        /// <summary>
        /// Writes the sites whose bits are set in <paramref name="box"/> into <paramref name="into"/> from
        /// <paramref name="count"/> on, in increasing order, and clears them; returns the new count.
        /// </summary>
        private static int ReadBits(Span<ulong> bits, BitBox box, int stride, int outWidth, long[] into, int count)
        {
            for (int o0 = box.RowLo; o0 <= box.RowHi; o0++)
            {
                Span<ulong> row = bits.Slice(o0 * stride + box.WordLo, box.WordHi - box.WordLo + 1);
                int site = o0 * outWidth + 64 * box.WordLo;
                for (int w = 0; w < row.Length; w++, site += 64)
                {
                    ulong set = row[w];
                    if (set == 0)
                        continue;
                    row[w] = 0;
                    for (; set != 0; set &= set - 1)
                        into[count++] = site + BitOperations.TrailingZeroCount(set);
                }
            }
            return count;
        }

        /// <summary>
        /// The pairs of input rows [<paramref name="first"/>, <paramref name="end"/>) (one sample's), in row order,
        /// appended at each tap's cursor: for each window row, the input's windows in that row, taps decreasing by
        /// the column stride.
        /// </summary>
        private readonly void SamplePairs(int first, int end, ReadOnlySpan<int> rowAt, Span<int> cursor, int[] ins, int[] outs)
        {
            ref long inLinear = ref MemoryMarshal.GetReference(_input.LinearIndexOfRow);
            ref int first0 = ref MemoryMarshal.GetReference(_rows.First), last0 = ref MemoryMarshal.GetReference(_rows.Last);
            ref int first1 = ref MemoryMarshal.GetReference(_columns.First), last1 = ref MemoryMarshal.GetReference(_columns.Last);
            ref int tap0 = ref MemoryMarshal.GetReference(_rows.Tap), tap1 = ref MemoryMarshal.GetReference(_columns.Tap);
            ref int rows = ref MemoryMarshal.GetReference(rowAt), slots = ref MemoryMarshal.GetReference(cursor);
            ref int pairIn = ref MemoryMarshal.GetArrayDataReference(ins), pairOut = ref MemoryMarshal.GetArrayDataReference(outs);
            FastDivisor byWidth = _byWidth;
            int width = _columns.Length, f1 = _columns.Filter, s1 = _columns.Stride, tapRowStep = _rows.Stride * f1, outWidth = _outSize[1];
            for (int r = first; r < end; r++)
            {
                uint site = (uint)Unsafe.Add(ref inLinear, r);
                int x0 = (int)byWidth.Divide(site), x1 = (int)site - x0 * width;
                int o0 = Unsafe.Add(ref first0, x0), o1 = Unsafe.Add(ref first1, x1);
                int rowsLeft = Unsafe.Add(ref last0, x0) - o0 + 1, columns = Unsafe.Add(ref last1, x1) - o1 + 1;
                int tap = Unsafe.Add(ref tap0, x0) * f1 + Unsafe.Add(ref tap1, x1), at = o0 * outWidth + o1;
                for (; rowsLeft > 0; rowsLeft--, tap -= tapRowStep, at += outWidth)
                {
                    for (int i = 0, t = tap; i < columns; i++, t -= s1)
                    {
                        int p = Unsafe.Add(ref slots, t)++;
                        Unsafe.Add(ref pairIn, p) = r;
                        Unsafe.Add(ref pairOut, p) = Unsafe.Add(ref rows, at + i);
                    }
                }
            }
        }
    }
}
