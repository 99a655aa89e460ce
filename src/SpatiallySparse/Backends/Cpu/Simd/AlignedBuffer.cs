using System;
using System.Runtime.CompilerServices;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// Reusable scratch whose usable part starts on a 64-byte boundary, so 512-bit loads never split cache lines.
/// Backed by a pinned array (pinned object heap): the pointer stays valid and the GC still frees it.
/// </summary>
internal sealed unsafe class AlignedBuffer
{
    private const int AlignFloats = 16;

    private float[] array = [];

    public float* Pointer { get; private set; }

    /// <summary>Returns at least <paramref name="floats"/> aligned floats; contents are unspecified.</summary>
    public float* Ensure(long floats)
    {
        if (floats > array.Length - AlignFloats)
        {
            // Grow by half again at least: batches vary in size, and creeping up to each new maximum would
            // allocate again and again.
            long grown = Math.Max(floats, Math.Min(array.Length + (long)array.Length / 2, int.MaxValue - AlignFloats));
            array = GC.AllocateUninitializedArray<float>(checked((int)grown + AlignFloats), pinned: true);
            nint start = (nint)Unsafe.AsPointer(ref array[0]);
            Pointer = (float*)((start + 63) & ~(nint)63);
        }

        return Pointer;
    }
}
