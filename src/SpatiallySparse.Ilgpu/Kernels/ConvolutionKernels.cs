using System.Diagnostics.CodeAnalysis;
using ILGPU;

namespace SpatiallySparse.Ilgpu.Kernels;

/// <summary>
/// Tiled gather-GEMM-scatter. A group of T x T threads (T = <c>Group.DimX</c>) computes a (4T x 4T) tile, each
/// thread a 4 x 4 block of it, stepping through the reduction dimension T at a time through two shared-memory
/// tiles. The shared arrays are sized for T = 16, the largest group used.
/// </summary>
[ExcludeFromCodeCoverage(Justification = "Coverage instrumentation breaks ILGPU kernel compilation.")]
internal static class ConvolutionKernels
{
    /// <summary>Tile side T of the largest group (16 x 16 threads), which sizes the shared arrays.</summary>
    public const int MaxTile = 16;

    // Gathered tiles are stored reduction-major with one padding column, so the tile loads do not hit one bank.
    private const int SharedLength = MaxTile * (4 * MaxTile + 1);

    /// <summary>
    /// One tap: output[outRows[p]] += input[inRows[p]] x W for the tap's pairs p. Grid: (pair tiles, column tiles).
    /// A tap's output rows are distinct, so each output element has one writer; taps are separate launches, ordered by the stream.
    /// </summary>
    public static void GatherGemmScatter(ArrayView<float> input, ArrayView<float> weights, ArrayView<float> output, ArrayView<int> inRows,
        ArrayView<int> outRows, int pairs, int cin, int cout)
    {
        ArrayView<float> a = SharedMemory.Allocate<float>(SharedLength);
        ArrayView<float> b = SharedMemory.Allocate<float>(SharedLength);
        int ts = Group.DimX, tid = Group.IdxY * ts + Group.IdxX, threads = ts * ts;
        int bm = 4 * ts, stride = bm + 1, p0 = Grid.IdxX * bm, n0 = Grid.IdxY * bm;
        Block4x4 acc = default;
        for (int k0 = 0; k0 < cin; k0 += ts)
        {
            // Input tile: ts channels of bm gathered rows; consecutive threads read consecutive channels of a row.
            for (int e = tid; e < ts * bm; e += threads)
            {
                int kk = e % ts, m = e / ts, p = p0 + m, k = k0 + kk;
                a[kk * stride + m] = p < pairs && k < cin ? input[inRows[p] * cin + k] : 0f;
            }
            LoadRows(weights, b, k0, cin, n0, cout, bm, stride, tid, threads, ts);
            Group.Barrier();
            acc.MultiplyAdd(a, b, stride, ts);
            Group.Barrier();
        }
        for (int i = 0; i < 4; i++)
        {
            int p = p0 + Group.IdxY + i * ts;
            if (p < pairs)
                acc.AddRow(output, i, outRows[p] * cout, n0, cout, ts);
        }
    }

    /// <summary>
    /// Stage one of the weight gradient of one tap: group (block, s) computes the (4T x 4T) block of
    /// input^T x gradOutput over the pairs [s * chunk, (s + 1) * chunk) and writes it to partial[s].
    /// </summary>
    public static void WeightGradientPartial(ArrayView<float> input, ArrayView<float> gradOutput, ArrayView<float> partial, ArrayView<int> inRows,
        ArrayView<int> outRows, int pairs, int cin, int cout, int chunk)
    {
        ArrayView<float> a = SharedMemory.Allocate<float>(SharedLength);
        ArrayView<float> b = SharedMemory.Allocate<float>(SharedLength);
        int ts = Group.DimX, tid = Group.IdxY * ts + Group.IdxX, threads = ts * ts;
        int bm = 4 * ts, stride = bm + 1, columnBlocks = (cout + bm - 1) / bm;
        int k0 = Grid.IdxX / columnBlocks * bm, n0 = Grid.IdxX % columnBlocks * bm;
        int begin = Grid.IdxY * chunk, end = IntrinsicMath.Min(pairs, begin + chunk);
        Block4x4 acc = default;
        for (int q0 = begin; q0 < end; q0 += ts)
        {
            for (int e = tid; e < ts * bm; e += threads)
            {
                int kk = e / bm, m = e % bm, q = q0 + kk, k = k0 + m;
                a[kk * stride + m] = q < end && k < cin ? input[inRows[q] * cin + k] : 0f;
                int n = n0 + m;
                b[kk * stride + m] = q < end && n < cout ? gradOutput[outRows[q] * cout + n] : 0f;
            }
            Group.Barrier();
            acc.MultiplyAdd(a, b, stride, ts);
            Group.Barrier();
        }
        int block = cin * cout, offset = Grid.IdxY * block;
        for (int i = 0; i < 4; i++)
        {
            int k = k0 + Group.IdxY + i * ts;
            if (k < cin)
                acc.StoreRow(partial, i, offset + k * cout, n0, cout, ts);
        }
    }

    /// <summary>Stage two: one thread per weight, gradWeights += the partials in chunk order.</summary>
    public static void WeightGradientReduce(Index1D i, ArrayView<float> partial, int chunks, int block, ArrayView<float> gradWeights)
    {
        float sum = 0f;
        for (int s = 0; s < chunks; s++)
            sum += partial[s * block + i];
        gradWeights[i] += sum;
    }

    /// <summary>One thread per weight: W_t (cin x cout) to W_t^T (cout x cin) for every tap.</summary>
    public static void TransposeTaps(Index1D i, ArrayView<float> weights, ArrayView<float> transposed, int cin, int cout)
    {
        int block = cin * cout, t = i / block, rest = i % block, k = rest / cout, n = rest % cout;
        transposed[t * block + n * cin + k] = weights[i];
    }

    /// <summary>One thread per element of a tap: destination = sum of the taps, in tap order.</summary>
    public static void SumTaps(Index1D i, ArrayView<float> weights, ArrayView<float> destination, int taps, int block)
    {
        float sum = 0f;
        for (int t = 0; t < taps; t++)
            sum += weights[t * block + i];
        destination[i] = sum;
    }

    public static void BroadcastTapsAdd(Index1D i, ArrayView<float> source, ArrayView<float> gradWeights, int block) =>
        gradWeights[i] += source[i % block];

    /// <summary>One thread per element of c: c += op(a) x op(b).</summary>
    public static void MatMulAdd(Index1D i, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int k, int n, int transposeA, int transposeB, int aColumns)
    {
        int row = i / n, col = i % n, bColumns = transposeB != 0 ? k : n;
        float sum = 0f;
        for (int l = 0; l < k; l++)
        {
            float x = transposeA != 0 ? a[l * aColumns + row] : a[row * aColumns + l];
            float y = transposeB != 0 ? b[col * bColumns + l] : b[l * bColumns + col];
            sum += x * y;
        }
        c[i] += sum;
    }

    /// <summary>Weights tile: rows k0.. of a (rows x columns) matrix, columns n0.., stored row-major with padding.</summary>
    private static void LoadRows(ArrayView<float> source, ArrayView<float> tile, int k0, int rows, int n0, int columns, int bm, int stride, int tid, int threads, int ts)
    {
        for (int e = tid; e < ts * bm; e += threads)
        {
            int kk = e / bm, n = e % bm, k = k0 + kk, col = n0 + n;
            tile[kk * stride + n] = k < rows && col < columns ? source[k * columns + col] : 0f;
        }
    }
}

/// <summary>A thread's 4 x 4 accumulator block; rows i at <c>IdxY + i T</c>, columns j at <c>IdxX + j T</c> of the tile.</summary>
[ExcludeFromCodeCoverage(Justification = "Coverage instrumentation breaks ILGPU kernel compilation.")]
internal struct Block4x4
{
    private float _c00, _c01, _c02, _c03, _c10, _c11, _c12, _c13, _c20, _c21, _c22, _c23, _c30, _c31, _c32, _c33;

    /// <summary>Adds a(rows) x b(columns) over the tile's reduction dimension (ts steps).</summary>
    public void MultiplyAdd(ArrayView<float> a, ArrayView<float> b, int stride, int ts)
    {
        int y = Group.IdxY, x = Group.IdxX;
        for (int kk = 0; kk < ts; kk++)
        {
            int ra = kk * stride + y, rb = kk * stride + x;
            float a0 = a[ra], a1 = a[ra + ts], a2 = a[ra + 2 * ts], a3 = a[ra + 3 * ts];
            float b0 = b[rb], b1 = b[rb + ts], b2 = b[rb + 2 * ts], b3 = b[rb + 3 * ts];
            _c00 += a0 * b0; _c01 += a0 * b1; _c02 += a0 * b2; _c03 += a0 * b3;
            _c10 += a1 * b0; _c11 += a1 * b1; _c12 += a1 * b2; _c13 += a1 * b3;
            _c20 += a2 * b0; _c21 += a2 * b1; _c22 += a2 * b2; _c23 += a2 * b3;
            _c30 += a3 * b0; _c31 += a3 * b1; _c32 += a3 * b2; _c33 += a3 * b3;
        }
    }

    /// <summary>destination[rowStart + n0 + column j] += row i of the block (columns below <paramref name="columns"/>).</summary>
    public readonly void AddRow(ArrayView<float> destination, int i, int rowStart, int n0, int columns, int ts)
    {
        int col = n0 + Group.IdxX;
        float v0 = Get(i, 0), v1 = Get(i, 1), v2 = Get(i, 2), v3 = Get(i, 3);
        if (col < columns)
            destination[rowStart + col] += v0;
        if (col + ts < columns)
            destination[rowStart + col + ts] += v1;
        if (col + 2 * ts < columns)
            destination[rowStart + col + 2 * ts] += v2;
        if (col + 3 * ts < columns)
            destination[rowStart + col + 3 * ts] += v3;
    }

    /// <summary>destination[rowStart + n0 + column j] = row i of the block.</summary>
    public readonly void StoreRow(ArrayView<float> destination, int i, int rowStart, int n0, int columns, int ts)
    {
        int col = n0 + Group.IdxX;
        if (col < columns)
            destination[rowStart + col] = Get(i, 0);
        if (col + ts < columns)
            destination[rowStart + col + ts] = Get(i, 1);
        if (col + 2 * ts < columns)
            destination[rowStart + col + 2 * ts] = Get(i, 2);
        if (col + 3 * ts < columns)
            destination[rowStart + col + 3 * ts] = Get(i, 3);
    }

    private readonly float Get(int i, int j) => (i * 4 + j) switch
    {
        0 => _c00, 1 => _c01, 2 => _c02, 3 => _c03,
        4 => _c10, 5 => _c11, 6 => _c12, 7 => _c13,
        8 => _c20, 9 => _c21, 10 => _c22, 11 => _c23,
        12 => _c30, 13 => _c31, 14 => _c32, _ => _c33,
    };
}
