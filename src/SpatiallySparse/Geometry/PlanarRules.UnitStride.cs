using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SpatiallySparse.Geometry;

/// <summary>
/// The pair pass of <see cref="PlanarRules"/> for stride 1 (the convolutions of a DeepCNet), tap by tap: through
/// tap t an input's output site is its own site less a fixed offset, so each tap's pairs of a sample come from
/// one walk over the sample's inputs with the tap's cursor in a register. Walking the inputs per window instead
/// (<see cref="Plan.SamplePairs"/>) increments a cursor in memory for every pair. Same unchecked indexing, for the
/// same reasons, as PlanarRules.Passes.cs.
/// </summary>
internal static partial class PlanarRules
{
    private partial struct Plan
    {
        /// <summary>Bit t0 * f1 + t1 of entry c0 * classes1 + c1: tap (t0, t1) is valid for inputs of classes (c0, c1).</summary>
        private static ulong[] PairTaps(PlanarAxis rows, PlanarAxis columns)
        {
            ReadOnlySpan<ulong> rowTaps = rows.TapSets, columnTaps = columns.TapSets;
            ulong[] pairTaps = ArrayPool<ulong>.Shared.Rent(rowTaps.Length * columnTaps.Length);
            for (int c0 = 0, i = 0; c0 < rowTaps.Length; c0++)
                for (int c1 = 0; c1 < columnTaps.Length; c1++, i++)
                {
                    ulong taps = 0;
                    for (int t0 = 0; t0 < rows.Filter; t0++)
                        if ((rowTaps[c0] >> t0 & 1) != 0)
                            taps |= columnTaps[c1] << (t0 * columns.Filter);
                    pairTaps[i] = taps;
                }
            return pairTaps;
        }

        /// <summary>
        /// <see cref="SamplePairs"/> for stride 1: each input's output site through tap 0 and valid taps go into
        /// <paramref name="siteOf"/> and <paramref name="tapsOf"/> (one sample's worth of scratch), then each tap
        /// walks them.
        /// </summary>
        private readonly void SampleUnitStridePairs(int first, int end, ReadOnlySpan<int> rowAt, Span<int> cursor, int[] ins, int[] outs,
            int[] siteOf, ulong[] tapsOf)
        {
            ReadOnlySpan<long> inLinear = _input.LinearIndexOfRow[first..end];
            ReadOnlySpan<int> class0 = _rows.Class, class1 = _columns.Class;
            ReadOnlySpan<ulong> pairTaps = _pairTaps;
            FastDivisor byWidth = _byWidth;
            int width = _columns.Length, classes1 = _columns.Classes, outWidth = _outSize[1], f0 = _rows.Filter, f1 = _columns.Filter;
            for (int k = 0; k < inLinear.Length; k++)
            {
                uint site = (uint)inLinear[k];
                int x0 = (int)byWidth.Divide(site), x1 = (int)site - x0 * width;
                siteOf[k] = x0 * outWidth + x1;
                tapsOf[k] = pairTaps[class0[x0] * classes1 + class1[x1]];
            }
            ref int rows = ref MemoryMarshal.GetReference(rowAt), sites = ref MemoryMarshal.GetArrayDataReference(siteOf);
            ref ulong taps = ref MemoryMarshal.GetArrayDataReference(tapsOf);
            ref int pairIn = ref MemoryMarshal.GetArrayDataReference(ins), pairOut = ref MemoryMarshal.GetArrayDataReference(outs);
            for (int t0 = 0, t = 0; t0 < f0; t0++)
                for (int t1 = 0; t1 < f1; t1++, t++)
                {
                    int p = cursor[t], offset = t0 * outWidth + t1;
                    for (int k = 0; k < inLinear.Length; k++)
                    {
                        if ((Unsafe.Add(ref taps, k) >> t & 1) == 0)
                            continue;
                        Unsafe.Add(ref pairIn, p) = first + k;
                        Unsafe.Add(ref pairOut, p) = Unsafe.Add(ref rows, Unsafe.Add(ref sites, k) - offset);
                        p++;
                    }
                    cursor[t] = p;
                }
        }
    }
}
