using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SpatiallySparse.Geometry;

/// <summary>
/// The loops of <see cref="PlanarRules"/> for windows that do not overlap (f &lt;= s, pooling): each input lies in
/// at most one window, its first, so there is no loop over windows, and the pair pass reads what the first pass
/// noted. Same unchecked indexing, for the same reasons,
/// as PlanarRules.Passes.cs.
/// </summary>
internal static partial class PlanarRules
{
    private partial struct Plan
    {
        /// <summary>
        /// <see cref="SetBits"/> for disjoint windows: one bit per input, and none (a zero mask: no branch) for an
        /// input that falls between windows; notes each input's output site (-1 for none) and tap in
        /// <paramref name="windowOf"/> (two entries per input) for <see cref="SampleDisjointPairs"/>.
        /// </summary>
        private readonly BitBox SetDisjointBits(ReadOnlySpan<long> sites, Span<ulong> bits, Span<int> perClass, Span<int> windowOf)
        {
            ref int noted = ref MemoryMarshal.GetReference(windowOf);
            ref int tap0 = ref MemoryMarshal.GetReference(_rows.Tap), tap1 = ref MemoryMarshal.GetReference(_columns.Tap);
            int f1 = _columns.Filter, outWidth = _outSize[1], k = 0;
            ref int first0 = ref MemoryMarshal.GetReference(_rows.First), last0 = ref MemoryMarshal.GetReference(_rows.Last);
            ref int first1 = ref MemoryMarshal.GetReference(_columns.First), last1 = ref MemoryMarshal.GetReference(_columns.Last);
            ref int class0 = ref MemoryMarshal.GetReference(_rows.Class), class1 = ref MemoryMarshal.GetReference(_columns.Class);
            ref ulong bit = ref MemoryMarshal.GetReference(bits);
            ref int counts = ref MemoryMarshal.GetReference(perClass);
            FastDivisor byWidth = _byWidth;
            int width = _columns.Length, classes1 = _columns.Classes, stride = _wordsPerRow;
            int rowLo = int.MaxValue, rowHi = -1, wordLo = int.MaxValue, wordHi = -1;
            foreach (long site in sites)
            {
                int x0 = (int)byWidth.Divide((uint)site), x1 = (int)site - x0 * width;
                Unsafe.Add(ref counts, Unsafe.Add(ref class0, x0) * classes1 + Unsafe.Add(ref class1, x1))++;
                int o0 = Unsafe.Add(ref first0, x0), o1 = Unsafe.Add(ref first1, x1), hi0 = Unsafe.Add(ref last0, x0);
                // Each axis covers the input with one window (last = first) or none (last = first - 1).
                ulong covered = (ulong)((hi0 - o0 + 1) & (Unsafe.Add(ref last1, x1) - o1 + 1));
                Unsafe.Add(ref bit, o0 * stride + (o1 >> 6)) |= covered << o1;  // a ulong shift counts mod 64: bit o1 % 64
                (rowLo, rowHi) = (Math.Min(rowLo, o0), Math.Max(rowHi, hi0));
                (wordLo, wordHi) = (Math.Min(wordLo, o1 >> 6), Math.Max(wordHi, o1 >> 6));
                Unsafe.Add(ref noted, k) = covered != 0 ? o0 * outWidth + o1 : -1;
                Unsafe.Add(ref noted, k + 1) = Unsafe.Add(ref tap0, x0) * f1 + Unsafe.Add(ref tap1, x1);
                k += 2;
            }
            return new BitBox(rowLo, rowHi, wordLo, wordHi);
        }

        /// <summary>
        /// <see cref="SamplePairs"/> for disjoint windows: at most one pair per input, the window and tap that
        /// <see cref="SetDisjointBits"/> noted (decoding the site again costs more than reading the note).
        /// </summary>
        private readonly void SampleDisjointPairs(int first, int end, ReadOnlySpan<int> rowAt, Span<int> cursor, int[] ins, int[] outs)
        {
            ref int noted = ref MemoryMarshal.GetArrayDataReference(_windowOf!);
            ref int rows = ref MemoryMarshal.GetReference(rowAt), slots = ref MemoryMarshal.GetReference(cursor);
            ref int pairIn = ref MemoryMarshal.GetArrayDataReference(ins), pairOut = ref MemoryMarshal.GetArrayDataReference(outs);
            for (int r = first; r < end; r++)
            {
                int site = Unsafe.Add(ref noted, 2 * r);
                if (site < 0)
                    continue;
                int p = Unsafe.Add(ref slots, Unsafe.Add(ref noted, 2 * r + 1))++;
                Unsafe.Add(ref pairIn, p) = r;
                Unsafe.Add(ref pairOut, p) = Unsafe.Add(ref rows, site);
            }
        }
    }
}
