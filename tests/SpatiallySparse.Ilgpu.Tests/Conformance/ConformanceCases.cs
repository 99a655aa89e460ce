using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Geometry;

namespace SpatiallySparse.Ilgpu.Tests.Conformance;

/// <summary>
/// Every backend op, forward and backward, on random inputs: run on the backend under test and on
/// <see cref="CpuBackend"/> (the reference semantics), outputs compared. Framework-free so the NUnit suite and
/// the GPU check program share it. Errors are max |device - cpu| / max(1, max |cpu|) over each output.
/// </summary>
public sealed class ConformanceCases : IDisposable
{
    private readonly ISparseBackend _device;
    private readonly CpuBackend _cpu = new();
    private readonly ConformanceSizes _sizes;
    private readonly Dictionary<int, ConformanceGeometry> _geometry = [];
    private readonly Dictionary<string, Func<ConformanceGeometry, double>> _cases;
    private readonly List<FeatureMatrix> _owned = [];

    // Channel counts that span several 64-wide tiles and reduction steps of the tiled kernels at any group size.
    private const int WideIn = 37, WideOut = 70;
    private Random _random = new(1);

    public ConformanceCases(ISparseBackend device, ConformanceSizes sizes)
    {
        _device = device;
        _sizes = sizes;
        _cases = new Dictionary<string, Func<ConformanceGeometry, double>>
        {
            ["Fill"] = _ => Elementwise((b, x) => b.Fill(x, 0.25f)),
            ["Copy"] = g => Unary(g, (b, x, y) => b.Copy(x, y)),
            ["Add"] = g => Unary(g, (b, x, y) => b.Add(x, y)),
            ["AddScaled"] = g => Unary(g, (b, x, y) => b.Add(x, y, -0.7f)),
            ["Scale"] = _ => Elementwise((b, x) => b.Scale(x, 1.5f)),
            ["Multiply"] = g => Binary(g, 0, (b, x, y, d) => b.Multiply(x, y, d, false)),
            ["MultiplyBroadcastAccumulate"] = g => Binary(g, 1, (b, x, y, d) => b.Multiply(x, y, d, true)),
            ["AddRowVector"] = g => Binary(g, 1, (b, x, y, d) => b.AddRowVector(y, d)),
            ["SumRows"] = g => Binary(g, 1, (b, x, y, d) => b.SumRows(x, y, 0.5f)),
            ["AddBySample"] = g => PerSample(g, (b, rows, perSample) => b.AddBySample(perSample, g.Grid, rows, -1f)),
            ["SumBySample"] = g => PerSample(g, (b, rows, perSample) => b.SumBySample(rows, g.Grid, perSample, 2f)),
            ["MeanBySample"] = g => PerSample(g, (b, rows, perSample) => b.MeanBySample(rows, g.Grid, perSample)),
            ["MeanBySampleBackward"] = g => PerSample(g, (b, rows, perSample) => b.MeanBySampleBackward(perSample, g.Grid, rows)),
            ["AllFinite"] = AllFinite,
            ["LeakyReluForward"] = g => Unary(g, (b, x, y) => b.LeakyReluForward(x, y, 1f / 3)),
            ["LeakyReluBackward"] = g => Binary(g, 0, (b, x, y, d) => b.LeakyReluBackward(x, y, d, 0.1f)),
            ["LeakyReluGradientInPlace"] = g => Unary(g, (b, y, grad) => FusedConvolution.GradientInPlace(b, y, grad, 0.1f)),
            ["BatchNormStatistics"] = BatchNormStatistics,
            ["BatchNormForward"] = BatchNormForward,
            ["BatchNormBackward"] = g => BatchNormBackward(g, true),
            ["BatchNormBackwardFixedStatistics"] = g => BatchNormBackward(g, false),
            ["ConvolutionForward"] = g => ConvolutionForward(g.StridedRules),
            ["ConvolutionForwardFrom"] = g => ConvolutionForwardFrom(g, withStart: true),
            ["ConvolutionForwardFromZero"] = g => ConvolutionForwardFrom(g, withStart: false),
            ["ConvolutionBackward"] = g => ConvolutionBackward(g.StridedRules),
            ["SubmanifoldForward"] = g => ConvolutionForward(g.SubmanifoldRules),
            ["SubmanifoldBackward"] = g => ConvolutionBackward(g.SubmanifoldRules),
            ["SubmanifoldForwardWide"] = g => ConvolutionForward(g.SubmanifoldRules, WideIn, WideOut),
            ["SubmanifoldBackwardWide"] = g => ConvolutionBackward(g.SubmanifoldRules, WideIn, WideOut),
            ["SumTaps"] = g => Taps(g, (b, w, block) => b.SumTaps(w, block)),
            ["BroadcastTapsAdd"] = g => Taps(g, (b, w, block) => b.BroadcastTapsAdd(block, w)),
            ["MatMulAdd"] = _ => MatMulAdd(),
            ["ConvolutionPoolForward"] = g => ConvolutionPool(g, backward: false),
            ["ConvolutionPoolBackward"] = g => ConvolutionPool(g, backward: true),
            ["MaxPoolForward"] = g => Pool(g, max: true, backward: false),
            ["MaxPoolBackward"] = g => Pool(g, max: true, backward: true),
            ["AveragePoolForward"] = g => Pool(g, max: false, backward: false),
            ["AveragePoolBackward"] = g => Pool(g, max: false, backward: true),
            ["SparseToDense"] = g => SparseToDense(g, backward: false),
            ["SparseToDenseBackward"] = g => SparseToDense(g, backward: true),
            ["SoftmaxCrossEntropy"] = _ => Softmax(backward: false),
            ["SoftmaxCrossEntropyBackward"] = _ => Softmax(backward: true),
            ["SgdStep"] = _ => Sgd(false),
            ["SgdStepNesterov"] = _ => Sgd(true),
            ["AdamStep"] = _ => Adam(false),
            ["AdamWStep"] = _ => Adam(true),
            ["SumOfSquares"] = _ => SumOfSquares(),
        };
    }

    /// <summary>The case names, one per op variant.</summary>
    public IEnumerable<string> Names => _cases.Keys;

    /// <summary>FNV-1a of <paramref name="text"/>'s UTF-16 code units: the same seed in every process and on every machine.</summary>
    internal static int StableSeed(string text)
    {
        uint hash = 2166136261;
        foreach (char ch in text)
            hash = (hash ^ ch) * 16777619;
        return (int)(hash & 0x7FFFFFFF);
    }

    /// <summary>Maximum relative error allowed.</summary>
    public double Tolerance => _sizes.Tolerance;

    /// <summary>Runs one case on a <paramref name="dimension"/>-D random geometry; returns its error.</summary>
    public double Run(string name, int dimension)
    {
        // A fixed seed per case: HashCode.Combine is randomised per process, so a failure could not be replayed.
        _random = new Random(StableSeed($"{name}/{dimension}"));
        try
        {
            return _cases[name](Geometry(dimension));
        }
        finally
        {
            _owned.ForEach(m => m.Dispose());
            _owned.Clear();
        }
    }

    public void Dispose()
    {
        foreach (ConformanceGeometry g in _geometry.Values)
            g.Dispose();
        _cpu.Dispose();
    }

    private ConformanceGeometry Geometry(int dimension)
    {
        if (!_geometry.TryGetValue(dimension, out ConformanceGeometry? g))
        {
            g = dimension == 2
                ? new ConformanceGeometry(2, _sizes.Side2D, _sizes.Batch, _sizes.Points2D, 7)
                : new ConformanceGeometry(dimension, _sizes.Side3D, _sizes.Batch, _sizes.Points3D, 8);
            _geometry[dimension] = g;
        }
        return g;
    }

    /// <summary>The same random matrix on both backends.</summary>
    private (FeatureMatrix Cpu, FeatureMatrix Device) Random2(int rows, int columns, float scale = 1f)
    {
        float[] values = new float[rows * columns];
        for (int i = 0; i < values.Length; i++)
            values[i] = (float)(_random.NextDouble() * 2 - 1) * scale;
        return (Own(_cpu, rows, columns, values), Own(_device, rows, columns, values));
    }

    private FeatureMatrix Own(ISparseBackend backend, int rows, int columns, float[] values)
    {
        FeatureMatrix m = backend.Allocate(rows, columns);
        backend.Upload(values, m);
        _owned.Add(m);
        return m;
    }

    private static double Error(params (FeatureMatrix Cpu, FeatureMatrix Device)[] outputs)
    {
        double worst = 0;
        foreach ((FeatureMatrix cpu, FeatureMatrix device) in outputs)
        {
            float[] a = cpu.ToArray(), b = device.ToArray();
            double scale = 1, diff = 0;
            for (int i = 0; i < a.Length; i++)
            {
                scale = Math.Max(scale, Math.Abs(a[i]));
                double d = Math.Abs((double)a[i] - b[i]);
                diff = double.IsNaN(d) ? double.PositiveInfinity : Math.Max(diff, d);
            }
            worst = Math.Max(worst, diff / scale);
        }
        return worst;
    }

    private double Elementwise(Action<ISparseBackend, FeatureMatrix> op)
    {
        (FeatureMatrix cx, FeatureMatrix dx) = Random2(37, _sizes.ChannelsOut);
        op(_cpu, cx);
        op(_device, dx);
        return Error((cx, dx));
    }

    private double Unary(ConformanceGeometry g, Action<ISparseBackend, FeatureMatrix, FeatureMatrix> op)
    {
        (FeatureMatrix cx, FeatureMatrix dx) = Random2(g.Grid.ActiveCount, _sizes.ChannelsIn);
        (FeatureMatrix cy, FeatureMatrix dy) = Random2(g.Grid.ActiveCount, _sizes.ChannelsIn);
        op(_cpu, cx, cy);
        op(_device, dx, dy);
        return Error((cy, dy));
    }

    /// <summary>x and d are rows x C; y is rows x C, or 1 x C when <paramref name="rowVector"/> is 1.</summary>
    private double Binary(ConformanceGeometry g, int rowVector, Action<ISparseBackend, FeatureMatrix, FeatureMatrix, FeatureMatrix> op)
    {
        int rows = g.Grid.ActiveCount, c = _sizes.ChannelsIn;
        (FeatureMatrix cx, FeatureMatrix dx) = Random2(rows, c);
        (FeatureMatrix cy, FeatureMatrix dy) = Random2(rowVector == 1 ? 1 : rows, c);
        (FeatureMatrix cd, FeatureMatrix dd) = Random2(rows, c);
        op(_cpu, cx, cy, cd);
        op(_device, dx, dy, dd);
        return Error((cy, dy), (cd, dd));
    }

    private double PerSample(ConformanceGeometry g, Action<ISparseBackend, FeatureMatrix, FeatureMatrix> op)
    {
        (FeatureMatrix cr, FeatureMatrix dr) = Random2(g.Grid.ActiveCount, _sizes.ChannelsIn);
        (FeatureMatrix cs, FeatureMatrix ds) = Random2(g.Grid.BatchSize, _sizes.ChannelsIn);
        op(_cpu, cr, cs);
        op(_device, dr, ds);
        return Error((cr, dr), (cs, ds));
    }

    private double AllFinite(ConformanceGeometry g)
    {
        (FeatureMatrix cx, FeatureMatrix dx) = Random2(g.Grid.ActiveCount, _sizes.ChannelsIn);
        bool finite = _device.AllFinite(dx, out long none);
        float[] values = dx.ToArray();
        values[values.Length / 2] = float.PositiveInfinity;
        values[values.Length - 1] = float.NaN;
        _device.Upload(values, dx);
        bool bad = _device.AllFinite(dx, out long first);
        return finite && none == -1 && !bad && first == values.Length / 2 && _cpu.AllFinite(cx, out _) ? 0 : 1;
    }

    private double BatchNormStatistics(ConformanceGeometry g)
    {
        (FeatureMatrix cx, FeatureMatrix dx) = Random2(g.Grid.ActiveCount, _sizes.ChannelsIn, 3f);
        _cpu.Add(Own(_cpu, cx.Rows, cx.Columns, Enumerable.Repeat(5f, (int)cx.Length).ToArray()), cx);
        _device.Upload(cx.ToArray(), dx);
        (FeatureMatrix cm, FeatureMatrix dm) = Random2(1, cx.Columns);
        (FeatureMatrix cv, FeatureMatrix dv) = Random2(1, cx.Columns);
        _cpu.BatchNormStatistics(cx, cm, cv);
        _device.BatchNormStatistics(dx, dm, dv);
        return Error((cm, dm), (cv, dv));
    }

    private (FeatureMatrix Cpu, FeatureMatrix Device)[] BatchNormParameters(int c)
    {
        (FeatureMatrix cm, FeatureMatrix dm) = Random2(1, c);
        float[] variance = Enumerable.Range(0, c).Select(i => 0.5f + i % 3).ToArray();
        (FeatureMatrix, FeatureMatrix) v = (Own(_cpu, 1, c, variance), Own(_device, 1, c, variance));
        return [(cm, dm), v, Random2(1, c), Random2(1, c)];
    }

    private double BatchNormForward(ConformanceGeometry g)
    {
        int c = _sizes.ChannelsIn;
        (FeatureMatrix cx, FeatureMatrix dx) = Random2(g.Grid.ActiveCount, c);
        (FeatureMatrix cy, FeatureMatrix dy) = Random2(g.Grid.ActiveCount, c);
        (FeatureMatrix Cpu, FeatureMatrix Device)[] p = BatchNormParameters(c);
        _cpu.BatchNormForward(cx, p[0].Cpu, p[1].Cpu, 1e-4f, p[2].Cpu, p[3].Cpu, cy);
        _device.BatchNormForward(dx, p[0].Device, p[1].Device, 1e-4f, p[2].Device, p[3].Device, dy);
        return Error((cy, dy));
    }

    private double BatchNormBackward(ConformanceGeometry g, bool batchStatistics)
    {
        int c = _sizes.ChannelsIn, rows = g.Grid.ActiveCount, batch = g.Grid.BatchSize;
        (FeatureMatrix Cpu, FeatureMatrix Device) x = Random2(rows, c), gy = Random2(rows, c), ground = Random2(batch, c), ggy = Random2(batch, c);
        (FeatureMatrix Cpu, FeatureMatrix Device) gx = Random2(rows, c), gg = Random2(batch, c), gga = Random2(1, c), gbe = Random2(1, c);
        (FeatureMatrix Cpu, FeatureMatrix Device)[] p = BatchNormParameters(c);
        _cpu.BatchNormBackward(x.Cpu, gy.Cpu, ground.Cpu, ggy.Cpu, p[0].Cpu, p[1].Cpu, 1e-4f, p[2].Cpu, batchStatistics, gx.Cpu, gg.Cpu, gga.Cpu, gbe.Cpu);
        _device.BatchNormBackward(x.Device, gy.Device, ground.Device, ggy.Device, p[0].Device, p[1].Device, 1e-4f, p[2].Device, batchStatistics,
            gx.Device, gg.Device, gga.Device, gbe.Device);
        return Error(gx, gg, gga, gbe);
    }

    private double ConvolutionForward(RuleBook rules) => ConvolutionForward(rules, _sizes.ChannelsIn, _sizes.ChannelsOut);

    private double ConvolutionForward(RuleBook rules, int cin, int cout)
    {
        (FeatureMatrix Cpu, FeatureMatrix Device) x = Random2(rules.InputRows, cin), w = Random2(rules.FilterVolume * cin, cout, 0.3f), y = Random2(rules.OutputRows, cout);
        _cpu.ConvolutionForward(x.Cpu, w.Cpu, rules, y.Cpu);
        _device.ConvolutionForward(x.Device, w.Device, rules, y.Device);
        return Error(y);
    }

    /// <summary>
    /// Into a fresh output on the submanifold rules (output grid = the input grid), stale contents in both outputs:
    /// the CPU's fused op against the device's composition of primitives.
    /// </summary>
    private double ConvolutionForwardFrom(ConformanceGeometry g, bool withStart)
    {
        RuleBook rules = g.SubmanifoldRules;
        int cin = _sizes.ChannelsIn, cout = _sizes.ChannelsOut;
        (FeatureMatrix Cpu, FeatureMatrix Device) x = Random2(rules.InputRows, cin), w = Random2(rules.FilterVolume * cin, cout, 0.3f);
        (FeatureMatrix Cpu, FeatureMatrix Device) y = Random2(rules.OutputRows, cout), start = Random2(g.Grid.BatchSize, cout);
        FusedConvolution.ForwardFrom(_cpu, withStart ? start.Cpu : null, g.Grid, x.Cpu, w.Cpu, rules, y.Cpu, 0.1f);
        FusedConvolution.ForwardFrom(_device, withStart ? start.Device : null, g.Grid, x.Device, w.Device, rules, y.Device, 0.1f);
        return Error(y);
    }

    private double ConvolutionBackward(RuleBook rules) => ConvolutionBackward(rules, _sizes.ChannelsIn, _sizes.ChannelsOut);

    private double ConvolutionBackward(RuleBook rules, int cin, int cout)
    {
        (FeatureMatrix Cpu, FeatureMatrix Device) x = Random2(rules.InputRows, cin), w = Random2(rules.FilterVolume * cin, cout, 0.3f);
        (FeatureMatrix Cpu, FeatureMatrix Device) gy = Random2(rules.OutputRows, cout), gx = Random2(rules.InputRows, cin), gw = Random2(rules.FilterVolume * cin, cout);
        _cpu.ConvolutionBackward(x.Cpu, gy.Cpu, w.Cpu, rules, gx.Cpu, gw.Cpu);
        _device.ConvolutionBackward(x.Device, gy.Device, w.Device, rules, gx.Device, gw.Device);
        double both = Error(gx, gw);
        // Into a fresh input gradient: the old (random) contents must not matter.
        _cpu.ConvolutionBackward(x.Cpu, gy.Cpu, w.Cpu, rules, gx.Cpu, gw.Cpu, overwriteGradInput: true);
        _device.ConvolutionBackward(x.Device, gy.Device, w.Device, rules, gx.Device, gw.Device, overwriteGradInput: true);
        both = Math.Max(both, Error(gx, gw));
        // Without an input gradient only the weights change.
        _cpu.ConvolutionBackward(x.Cpu, gy.Cpu, w.Cpu, rules, null, gw.Cpu);
        _device.ConvolutionBackward(x.Device, gy.Device, w.Device, rules, null, gw.Device);
        return Math.Max(both, Error(gw));
    }

    private double Taps(ConformanceGeometry g, Action<ISparseBackend, FeatureMatrix, FeatureMatrix> op)
    {
        int taps = g.SubmanifoldRules.FilterVolume, cin = _sizes.ChannelsIn, cout = _sizes.ChannelsOut;
        (FeatureMatrix Cpu, FeatureMatrix Device) w = Random2(taps * cin, cout), block = Random2(cin, cout);
        op(_cpu, w.Cpu, block.Cpu);
        op(_device, w.Device, block.Device);
        return Error(w, block);
    }

    private double MatMulAdd()
    {
        double worst = 0;
        int m = 2 * _sizes.Batch + 1, k = _sizes.ChannelsIn, n = _sizes.ChannelsOut;
        foreach ((bool ta, bool tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            (FeatureMatrix Cpu, FeatureMatrix Device) a = ta ? Random2(k, m) : Random2(m, k), b = tb ? Random2(n, k) : Random2(k, n), c = Random2(m, n);
            _cpu.MatMulAdd(a.Cpu, ta, b.Cpu, tb, c.Cpu);
            _device.MatMulAdd(a.Device, ta, b.Device, tb, c.Device);
            worst = Math.Max(worst, Error(c));
        }
        return worst;
    }

    /// <summary>The fused first block (valid 3^d convolution, leaky ReLU, 2^d/2 max pooling) for 1 and 2 input channels, both ground rules and slopes.</summary>
    private double ConvolutionPool(ConformanceGeometry g, bool backward)
    {
        double worst = 0;
        foreach (int cin in new[] { 1, 2 })
            foreach (bool ground in new[] { true, false })
                foreach (float slope in new[] { 0f, 0.2f })
                    worst = Math.Max(worst, ConvolutionPoolOnce(new(g.StridedRules, g.StridedGrid, g.ChainedPoolRules, g.ChainedPoolGrid, ground, slope), cin, backward));
        return worst;
    }

    private double ConvolutionPoolOnce(in ConvolutionPoolShape shape, int cin, bool backward)
    {
        int cout = _sizes.ChannelsOut, batch = shape.PoolGrid.BatchSize, rows = shape.PoolRules.OutputRows;
        (FeatureMatrix Cpu, FeatureMatrix Device) x = Random2(shape.ConvolutionRules.InputRows, cin), w = Random2(shape.ConvolutionRules.FilterVolume * cin, cout, 0.3f);
        (FeatureMatrix Cpu, FeatureMatrix Device) start = Random2(batch, cout), ground = Random2(batch, cout), y = Random2(rows, cout);
        FeatureMatrix? keptCpu = FusedConvolutionPool.Forward(_cpu, x.Cpu, w.Cpu, start.Cpu, ground.Cpu, shape, y.Cpu, backward);
        FeatureMatrix? keptDevice = FusedConvolutionPool.Forward(_device, x.Device, w.Device, start.Device, ground.Device, shape, y.Device, backward);
        if (!backward)
            return Error(y);
        _owned.Add(keptCpu!);
        _owned.Add(keptDevice!);
        (FeatureMatrix Cpu, FeatureMatrix Device) gy = Random2(rows, cout), gw = Random2(w.Cpu.Rows, cout), gs = Random2(batch, cout), gg = Random2(batch, cout);
        FusedConvolutionPool.Backward(_cpu, x.Cpu, keptCpu!, w.Cpu, start.Cpu, ground.Cpu, shape, y.Cpu, gy.Cpu, gw.Cpu, gs.Cpu, gg.Cpu);
        FusedConvolutionPool.Backward(_device, x.Device, keptDevice!, w.Device, start.Device, ground.Device, shape, y.Device, gy.Device, gw.Device, gs.Device, gg.Device);
        return Error(y, gw, gs, gg);
    }

    private double Pool(ConformanceGeometry g, bool max, bool backward)
    {
        double worst = 0;
        foreach ((RuleBook rules, SparseGrid grid) in new[] { (g.PoolRules, g.PooledGrid), (g.StridedRules, g.StridedGrid) })
            foreach (bool ground in new[] { true, false })
                worst = Math.Max(worst, PoolOnce(rules, grid, ground, max, backward));
        return worst;
    }

    private double PoolOnce(RuleBook rules, SparseGrid outputGrid, bool includeGround, bool max, bool backward)
    {
        int c = _sizes.ChannelsIn, batch = outputGrid.BatchSize;
        (FeatureMatrix Cpu, FeatureMatrix Device) x = Random2(rules.InputRows, c), ground = Random2(batch, c), y = Random2(rules.OutputRows, c);
        (FeatureMatrix Cpu, FeatureMatrix Device) gy = Random2(rules.OutputRows, c), gx = Random2(rules.InputRows, c), gg = Random2(batch, c);
        if (max)
        {
            _cpu.MaxPoolForward(x.Cpu, ground.Cpu, rules, outputGrid, includeGround, y.Cpu);
            _device.MaxPoolForward(x.Device, ground.Device, rules, outputGrid, includeGround, y.Device);
            if (!backward)
                return Error(y);
            _cpu.MaxPoolBackward(x.Cpu, ground.Cpu, rules, outputGrid, includeGround, y.Cpu, gy.Cpu, gx.Cpu, gg.Cpu);
            _device.MaxPoolBackward(x.Device, ground.Device, rules, outputGrid, includeGround, y.Device, gy.Device, gx.Device, gg.Device);
            double accumulated = Error(gx, gg);
            if (rules.PairCount != rules.InputRows)
                return accumulated;
            // Every input row in one window (2x2/2): the input gradient may also be assigned.
            _cpu.MaxPoolBackward(x.Cpu, ground.Cpu, rules, outputGrid, includeGround, y.Cpu, gy.Cpu, gx.Cpu, gg.Cpu, overwriteGradInput: true);
            _device.MaxPoolBackward(x.Device, ground.Device, rules, outputGrid, includeGround, y.Device, gy.Device, gx.Device, gg.Device, overwriteGradInput: true);
            return Math.Max(accumulated, Error(gx, gg));
        }
        if (!backward)
        {
            _cpu.AveragePoolForward(x.Cpu, ground.Cpu, rules, outputGrid, includeGround, y.Cpu);
            _device.AveragePoolForward(x.Device, ground.Device, rules, outputGrid, includeGround, y.Device);
            return Error(y);
        }
        _cpu.AveragePoolBackward(rules, outputGrid, includeGround, gy.Cpu, gx.Cpu, gg.Cpu);
        _device.AveragePoolBackward(rules, outputGrid, includeGround, gy.Device, gx.Device, gg.Device);
        return Error(gx, gg);
    }

    private double SparseToDense(ConformanceGeometry g, bool backward)
    {
        // The pooled grid keeps the dense output small at real sizes.
        SparseGrid grid = g.PooledGrid;
        int c = _sizes.ChannelsIn, volume = (int)grid.Size.Volume;
        (FeatureMatrix Cpu, FeatureMatrix Device) x = Random2(grid.ActiveCount, c), ground = Random2(grid.BatchSize, c), dense = Random2(grid.BatchSize, c * volume);
        if (!backward)
        {
            _cpu.SparseToDense(x.Cpu, ground.Cpu, grid, dense.Cpu);
            _device.SparseToDense(x.Device, ground.Device, grid, dense.Device);
            return Error(dense);
        }
        _cpu.SparseToDenseBackward(dense.Cpu, grid, x.Cpu, ground.Cpu);
        _device.SparseToDenseBackward(dense.Device, grid, x.Device, ground.Device);
        return Error(x, ground);
    }

    private double Softmax(bool backward)
    {
        int batch = 3 * _sizes.Batch + 1, classes = 10;
        int[] labels = Enumerable.Range(0, batch).Select(b => (b * 7) % classes).ToArray();
        (FeatureMatrix Cpu, FeatureMatrix Device) z = Random2(batch, classes, 4f), p = Random2(batch, classes), gz = Random2(batch, classes);
        float cpuLoss = _cpu.SoftmaxCrossEntropy(z.Cpu, labels, p.Cpu);
        float deviceLoss = _device.SoftmaxCrossEntropy(z.Device, labels, p.Device);
        double lossError = Math.Abs(cpuLoss - deviceLoss) / Math.Max(1, Math.Abs(cpuLoss));
        if (!backward)
            return Math.Max(lossError, Error(p));
        _cpu.SoftmaxCrossEntropyBackward(p.Cpu, labels, 0.5f, gz.Cpu);
        _device.SoftmaxCrossEntropyBackward(p.Device, labels, 0.5f, gz.Device);
        return Error(gz);
    }

    private double Sgd(bool nesterov)
    {
        (FeatureMatrix Cpu, FeatureMatrix Device) w = Random2(41, _sizes.ChannelsOut), g = Random2(41, _sizes.ChannelsOut), v = Random2(41, _sizes.ChannelsOut);
        for (int step = 0; step < 2; step++)
        {
            _cpu.SgdStep(w.Cpu, g.Cpu, v.Cpu, 0.1f, 0.9f, 1e-3f, nesterov);
            _device.SgdStep(w.Device, g.Device, v.Device, 0.1f, 0.9f, 1e-3f, nesterov);
        }
        return Error(w, v);
    }

    private double Adam(bool decoupled)
    {
        int c = _sizes.ChannelsOut;
        (FeatureMatrix Cpu, FeatureMatrix Device) w = Random2(41, c), g = Random2(41, c), m = Random2(41, c), v = Random2(41, c);
        // The second moment starts at zero (it must not be negative), as in a fresh optimiser.
        _cpu.Fill(v.Cpu, 0f);
        _device.Fill(v.Device, 0f);
        for (int step = 1; step <= 2; step++)
        {
            float bias1 = (float)(1 - Math.Pow(0.9, step)), bias2 = (float)(1 - Math.Pow(0.999, step));
            _cpu.AdamStep(w.Cpu, g.Cpu, m.Cpu, v.Cpu, 0.01f, 0.9f, 0.999f, 1e-8f, 0.05f, decoupled, bias1, bias2);
            _device.AdamStep(w.Device, g.Device, m.Device, v.Device, 0.01f, 0.9f, 0.999f, 1e-8f, 0.05f, decoupled, bias1, bias2);
        }
        return Error(w, m, v);
    }

    private double SumOfSquares()
    {
        // 15009 elements: several chunks of the device's two-stage sum (4096 per thread), the last one partial.
        (FeatureMatrix Cpu, FeatureMatrix Device) x = Random2(5003, 3);
        double cpu = _cpu.SumOfSquares(x.Cpu), device = _device.SumOfSquares(x.Device);
        return Math.Abs(cpu - device) / Math.Max(1, cpu);
    }
}
