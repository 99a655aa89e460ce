using System.Numerics;

namespace SpatiallySparse.Geometry;

/// <summary>The per-sample loops of <see cref="PlanarRules"/>: tables and constants are read into locals once per sample.</summary>
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
            ReadOnlySpan<int> first0 = _rows.First, last0 = _rows.Last, class0 = _rows.Class, class1 = _columns.Class, word1 = _columns.Word;
            ReadOnlySpan<ulong> masks = _columns.Masks;
            FastDivisor byWidth = _byWidth;
            int width = _columns.Length, classes1 = _columns.Classes, stride = _wordsPerRow;
            int rowLo = int.MaxValue, rowHi = -1, wordLo = int.MaxValue, wordHi = -1;
            foreach (long site in sites)
            {
                int x0 = (int)byWidth.Divide((uint)site), x1 = (int)site - x0 * width;
                perClass[class0[x0] * classes1 + class1[x1]]++;
                int lo0 = first0[x0], hi0 = last0[x0], word = word1[x1];
                ulong low = masks[2 * x1], high = masks[2 * x1 + 1];
                (rowLo, rowHi) = (Math.Min(rowLo, lo0), Math.Max(rowHi, hi0));
                (wordLo, wordHi) = (Math.Min(wordLo, word), Math.Max(wordHi, word));
                for (int i = lo0 * stride + word, end = hi0 * stride + word; i <= end; i += stride)
                {
                    bits[i] |= low;
                    bits[i + 1] |= high;
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

        /// <summary>The pairs of input rows [<paramref name="first"/>, <paramref name="end"/>) (one sample's), in row order, appended at each tap's cursor.</summary>
        private readonly void SamplePairs(int first, int end, ReadOnlySpan<int> rowAt, Span<int> cursor, int[] ins, int[] outs)
        {
            ReadOnlySpan<long> inLinear = _input.LinearIndexOfRow;
            ReadOnlySpan<int> first0 = _rows.First, last0 = _rows.Last, first1 = _columns.First, last1 = _columns.Last;
            FastDivisor byWidth = _byWidth;
            int width = _columns.Length, s0 = _rows.Stride, s1 = _columns.Stride, f1 = _columns.Filter, outWidth = _outSize[1];
            for (int r = first; r < end; r++)
            {
                uint site = (uint)inLinear[r];
                int x0 = (int)byWidth.Divide(site), x1 = (int)site - x0 * width;
                int lo1 = first1[x1], hi1 = last1[x1];
                for (int o0 = first0[x0], hi0 = last0[x0]; o0 <= hi0; o0++)
                {
                    int tapRow = (x0 - o0 * s0) * f1 + x1, siteRow = o0 * outWidth;
                    for (int o1 = lo1; o1 <= hi1; o1++)
                    {
                        int p = cursor[tapRow - o1 * s1]++;
                        ins[p] = r;
                        outs[p] = rowAt[siteRow + o1];
                    }
                }
            }
        }
    }
}
