using System.Runtime.CompilerServices;

namespace SpatiallySparse.Backends.Cpu.Simd;

/// <summary>
/// What the fused convolution + leaky ReLU + max pooling reads, as raw pointers the caller keeps pinned: input
/// rows (cin wide), weights (taps x cin x cout), per-sample start and activated ground rows (cout wide), the
/// convolution's output-major neighbour table (taps per row, -1: inactive) and the pooling's (window entries per
/// pooled row, convolution rows or -1), and the pooled rows' sample offsets.
/// </summary>
internal readonly unsafe struct ConvolutionPoolOperands(float* x, int cin, float* w, int cout, float* start, float* ground, int* convTable, int taps,
    int* poolTable, int window, int* poolOffsets, bool includeGround, float slope)
{
    public readonly float* X = x;
    public readonly int Cin = cin;
    public readonly float* W = w;
    public readonly int Cout = cout;
    public readonly float* Start = start;
    public readonly float* Ground = ground;
    public readonly int* ConvTable = convTable;
    public readonly int Taps = taps;
    public readonly int* PoolTable = poolTable;
    public readonly int Window = window;
    public readonly int* PoolOffsets = poolOffsets;
    public readonly bool IncludeGround = includeGround;
    public readonly float Slope = slope;
}

/// <summary>
/// One pooled row of the fused convolution + leaky ReLU + max pooling, for the channel blocks of one
/// <see cref="ILanes{TVec}"/> width from column j on (each returns where it stopped, for the next narrower
/// width). The window's convolution rows are computed in registers from its gathered inputs
/// (<see cref="GatherWindow"/>), four at a time as independent chains, and never stored: forward takes their
/// maximum, backward recomputes them to find the winner (the first element equal to the output, as max-pooling
/// backward) and adds the winners' products to the weights' gradient once per row and tap. AggressiveOptimization,
/// as the rule kernels: called once per pooled row, tier-0 code would run for many steps before tiering caught up.
/// </summary>
internal static unsafe class ConvolutionPoolRows
{
    /// <summary>Window elements computed together; windows are padded to a multiple of it with zero inputs.</summary>
    public const int Group = 4;

    /// <summary>Most floats a gathered window may take (on the stack), and most window elements (bits of an int).</summary>
    public const int MaxGathered = 4096, MaxWindow = 30;

    /// <summary>Floats <see cref="GatherWindow"/> writes for one pooled row.</summary>
    public static long GatheredLength(int window, int taps, int cin) => (long)(window + Group - 1) / Group * Group * taps * cin;

    /// <summary>Whether these shapes fit the kernel's stack buffer and element mask.</summary>
    public static bool Supports(int window, int taps, int cin) => window <= MaxWindow && GatheredLength(window, taps, cin) <= MaxGathered;

    /// <summary>
    /// Pooled row <paramref name="q"/>'s inputs, element by element, tap by tap: <c>xs[(k taps + t) cin + c]</c> =
    /// x[input of tap t of element k, c], zero where that input or element is inactive (the convolution's
    /// absent taps, as the rule kernels' im2col). <paramref name="noInputs"/> is a table row of taps -1 entries;
    /// the padding after the window's elements must be zero already (<see cref="Prepare"/>, once per buffer).
    /// Returns a bit per active element.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int GatherWindow(in ConvolutionPoolOperands p, int q, float* xs, int* noInputs)
    {
        int* window = p.PoolTable + ((long)q * p.Window);
        int cin = p.Cin, per = p.Taps * cin;
        for (int k = 0; k < p.Window; k++)
        {
            // Branch-free: about two taps in three of a pen stroke's 3x3 windows are inactive, in no pattern a
            // predictor could follow; an inactive element reads the all-inactive table row.
            int r = window[k];
            int* neighbours = r >= 0 ? p.ConvTable + ((long)r * p.Taps) : noInputs;
            int* row = (int*)(xs + (k * per));
            if (cin == 1)
            {
                // The usual first layer (ink, or a grey level): one float per tap, no inner loop.
                int* x = (int*)p.X;
                for (int t = 0; t < p.Taps; t++)
                {
                    int i = neighbours[t], keep = ~(i >> 31);
                    row[t] = x[i & keep] & keep;
                }
                continue;
            }
            for (int t = 0; t < p.Taps; t++)
            {
                int i = neighbours[t], keep = ~(i >> 31);
                int* from = (int*)(p.X + ((long)(i & keep) * cin));
                for (int c = 0; c < cin; c++)
                    row[(t * cin) + c] = from[c] & keep;
            }
        }
        return ActiveElements(p, q);
    }

    /// <summary>Fills the all-inactive table row and zeroes <paramref name="xs"/>'s padding (<see cref="ClearPadding"/>).</summary>
    public static void Prepare(in ConvolutionPoolOperands p, float* xs, int* noInputs)
    {
        ClearPadding(p, xs);
        new Span<int>(noInputs, p.Taps).Fill(-1);
    }

    /// <summary>Zeroes the elements <see cref="GatherWindow"/> pads a window with (up to a multiple of <see cref="Group"/>); none for 2x2 pooling.</summary>
    public static void ClearPadding(in ConvolutionPoolOperands p, float* xs)
    {
        long per = (long)p.Taps * p.Cin, padded = GatheredLength(p.Window, p.Taps, p.Cin) - (p.Window * per);
        if (padded > 0)
            new Span<float>(xs + (p.Window * per), (int)padded).Clear();
    }

    /// <summary>Whether a window with these active elements also takes the ground state: some element is inactive and the pooling includes it.</summary>
    private static bool SeesGround(in ConvolutionPoolOperands p, int active) => p.IncludeGround && active != (1 << p.Window) - 1;

    /// <summary>A bit per active element of pooled row <paramref name="q"/>'s window.</summary>
    public static int ActiveElements(in ConvolutionPoolOperands p, int q)
    {
        int* window = p.PoolTable + ((long)q * p.Window);
        int active = 0;
        for (int k = 0; k < p.Window; k++)
            active |= (window[k] >= 0 ? 1 : 0) << k;
        return active;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Forward<TL, TVec>(in ConvolutionPoolOperands p, int q, int b, int active, float* xs, float* y, int j)
        where TL : struct, ILanes<TVec>
        where TVec : struct
    {
        float* ground = p.Ground + ((long)b * p.Cout);
        bool seesGround = SeesGround(p, active);
        TVec slope = TL.Broadcast(p.Slope);
        for (; j + TL.Width <= p.Cout; j += TL.Width)
        {
            TVec m = TL.Zero;
            bool any = false;
            for (int k0 = 0; k0 < p.Window; k0 += Group)
            {
                // Active elements only, in window order (as max pooling), the four spelled out so that they stay in registers.
                int bits = active >> k0;
                Elements<TVec> e = Convolve<TL, TVec>(p, b, xs, k0, j, slope);
                Take<TL, TVec>(ref m, ref any, e.E0, bits);
                Take<TL, TVec>(ref m, ref any, e.E1, bits >> 1);
                Take<TL, TVec>(ref m, ref any, e.E2, bits >> 2);
                Take<TL, TVec>(ref m, ref any, e.E3, bits >> 3);
            }
            if (seesGround)
                m = TL.Max(m, TL.Load(ground + j));
            TL.Store(y + ((long)q * p.Cout) + j, m);
        }
        return j;
    }

    /// <summary>
    /// Routes pooled row <paramref name="q"/>'s gradient: to the winning convolution row (times the activation's
    /// slope there), whose products go to <paramref name="gradWeights"/> and whose sum to the sample's start
    /// gradient, or to the ground state's gradient.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Backward<TL, TVec>(in ConvolutionPoolOperands p, int q, int b, int active, float* xs, float* y, float* dy,
        float* gradStart, float* gradGround, float* gradWeights, int j)
        where TL : struct, ILanes<TVec>
        where TVec : struct
    {
        bool seesGround = SeesGround(p, active);
        TVec slope = TL.Broadcast(p.Slope);
        for (; j + TL.Width <= p.Cout; j += TL.Width)
        {
            TVec target = TL.Load(y + ((long)q * p.Cout) + j), g = TL.Load(dy + ((long)q * p.Cout) + j), pending = TL.AllBits;
            for (int k0 = 0; k0 < p.Window; k0 += Group)
            {
                int bits = active >> k0;
                Elements<TVec> e = Convolve<TL, TVec>(p, b, xs, k0, j, slope);
                TVec d0 = Route<TL, TVec>(e.E0, bits, target, g, slope, ref pending);
                TVec d1 = Route<TL, TVec>(e.E1, bits >> 1, target, g, slope, ref pending);
                TVec d2 = Route<TL, TVec>(e.E2, bits >> 2, target, g, slope, ref pending);
                TVec d3 = Route<TL, TVec>(e.E3, bits >> 3, target, g, slope, ref pending);
                float* s = gradStart + ((long)b * p.Cout) + j;
                TL.Store(s, TL.Add(TL.Load(s), TL.Add(TL.Add(d0, d1), TL.Add(d2, d3))));
                AddProducts<TL, TVec>(p, xs, k0, new Elements<TVec>(d0, d1, d2, d3), gradWeights + j);
            }
            if (seesGround)
            {
                float* gg = gradGround + ((long)b * p.Cout) + j;
                TL.Store(gg, TL.Add(TL.Load(gg), TL.Select(pending, g, TL.Zero)));
            }
        }
        return j;
    }

    /// <summary>
    /// Activated convolution rows of elements k0..k0+3, columns [j, j + width): the start row plus the gathered
    /// inputs times the weights, four independent multiply-add chains.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Elements<TVec> Convolve<TL, TVec>(in ConvolutionPoolOperands p, int b, float* xs, int k0, int j, TVec slope)
        where TL : struct, ILanes<TVec>
        where TVec : struct
    {
        int per = p.Taps * p.Cin;
        float* x0 = xs + (k0 * per), x1 = x0 + per, x2 = x1 + per, x3 = x2 + per, w = p.W + j;
        TVec a0 = TL.Load(p.Start + ((long)b * p.Cout) + j), a1 = a0, a2 = a0, a3 = a0;
        for (int kk = 0; kk < per; kk++)
        {
            TVec wv = TL.Load(w + ((long)kk * p.Cout));
            a0 = TL.MultiplyAdd(TL.Broadcast(x0[kk]), wv, a0);
            a1 = TL.MultiplyAdd(TL.Broadcast(x1[kk]), wv, a1);
            a2 = TL.MultiplyAdd(TL.Broadcast(x2[kk]), wv, a2);
            a3 = TL.MultiplyAdd(TL.Broadcast(x3[kk]), wv, a3);
        }
        return new Elements<TVec>(TL.LeakyRelu(a0, slope), TL.LeakyRelu(a1, slope), TL.LeakyRelu(a2, slope), TL.LeakyRelu(a3, slope));
    }

    /// <summary>gradWeights[kk, j..] += sum over the group's elements e of xs_e[kk] * d_e: one read-modify-write per weight row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddProducts<TL, TVec>(in ConvolutionPoolOperands p, float* xs, int k0, Elements<TVec> d, float* gradWeights)
        where TL : struct, ILanes<TVec>
        where TVec : struct
    {
        int per = p.Taps * p.Cin;
        float* x0 = xs + (k0 * per), x1 = x0 + per, x2 = x1 + per, x3 = x2 + per;
        for (int kk = 0; kk < per; kk++)
        {
            float* at = gradWeights + ((long)kk * p.Cout);
            TVec sum = TL.MultiplyAdd(TL.Broadcast(x0[kk]), d.E0, TL.Load(at));
            sum = TL.MultiplyAdd(TL.Broadcast(x1[kk]), d.E1, sum);
            sum = TL.MultiplyAdd(TL.Broadcast(x2[kk]), d.E2, sum);
            TL.Store(at, TL.MultiplyAdd(TL.Broadcast(x3[kk]), d.E3, sum));
        }
    }

    /// <summary>m = max(m, a) (a alone for the first), when the element is active (bit 0 of <paramref name="bits"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Take<TL, TVec>(ref TVec m, ref bool any, TVec a, int bits)
        where TL : struct, ILanes<TVec>
        where TVec : struct
    {
        if ((bits & 1) == 0)
            return;
        m = any ? TL.Max(m, a) : a;
        any = true;
    }

    /// <summary>
    /// The gradient an element gets: the lanes still pending whose activated value a equals the output take g
    /// times the activation's slope; they stop pending. Zero for an inactive element (bit 0 of <paramref name="bits"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Route<TL, TVec>(TVec a, int bits, TVec target, TVec g, TVec slope, ref TVec pending)
        where TL : struct, ILanes<TVec>
        where TVec : struct
    {
        if ((bits & 1) == 0)
            return TL.Zero;
        TVec hit = TL.And(TL.Equal(a, target), pending);
        pending = TL.AndNot(pending, hit);
        return TL.Select(hit, TL.LeakyReluGradient(a, g, slope), TL.Zero);
    }

    /// <summary>Four blocks of lanes, one per element of a group.</summary>
    private readonly struct Elements<TVec>(TVec e0, TVec e1, TVec e2, TVec e3)
        where TVec : struct
    {
        public readonly TVec E0 = e0;
        public readonly TVec E1 = e1;
        public readonly TVec E2 = e2;
        public readonly TVec E3 = e3;
    }
}
