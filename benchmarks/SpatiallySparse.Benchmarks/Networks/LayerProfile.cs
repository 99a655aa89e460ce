using System.Diagnostics;
using System.Globalization;
using SpatiallySparse.Autograd;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Benchmarks.Networks;

/// <summary>
/// Per-layer times of training steps (<see cref="IForwardObserver"/>): each module's forward, and its backward as the
/// time between two tape markers recorded around its forward (so a container's figures include its children's),
/// plus each rulebook the step's geometry builds (up front, as a loader does) and the step's phases. Medians over
/// the profiled steps, printed as '#' lines.
/// </summary>
internal sealed class LayerProfile : IForwardObserver
{
    private readonly Dictionary<Module, Entry> _entries = new(ReferenceEqualityComparer.Instance);
    private readonly List<Entry> _order = [];
    private readonly Stack<(Entry Entry, long Start)> _open = new();
    private readonly Dictionary<string, List<double>> _phases = [];
    private readonly List<(string Name, List<double> Ms)> _pieces = [];
    private int _piece;
    private long _pieceMark;

    public LayerProfile(Module net) => Add(net, 0);

    private void Add(Module module, int depth)
    {
        string name = module.Children.Count > 0 ? module.GetType().Name.Split('`')[0] : module.ToString() ?? "?";
        Entry entry = new(new string(' ', 2 * depth) + name);
        _entries[module] = entry;
        _order.Add(entry);
        foreach (Module child in module.Children)
            Add(child, depth + 1);
    }

    public void Before(Module module, Tensor input, Tape tape)
    {
        if (!_entries.TryGetValue(module, out Entry? entry))
            return;
        if (input is SparseTensor s)
            entry.Input = string.Create(CultureInfo.InvariantCulture, $"{s.SpatialSize} {s.Grid.ActiveCount} sites");
        tape.Record(entry.BackwardEnds);  // runs after the module's backward work
        _open.Push((entry, Stopwatch.GetTimestamp()));
    }

    public void After(Module module, Tape tape)
    {
        if (!_entries.ContainsKey(module))
            return;
        (Entry entry, long start) = _open.Pop();
        entry.ForwardTicks += Stopwatch.GetTimestamp() - start;
        tape.Record(entry.BackwardBegins);  // runs before it
    }

    /// <summary>Adds <paramref name="ms"/> to phase <paramref name="phase"/> of the current step.</summary>
    public void Phase(string phase, double ms)
    {
        if (!_phases.TryGetValue(phase, out List<double>? list))
            _phases[phase] = list = [];
        list.Add(ms);
    }

    /// <summary>Starts timing the geometry pieces of a step.</summary>
    public void BeginGeometry()
    {
        _piece = 0;
        _pieceMark = Stopwatch.GetTimestamp();
    }

    /// <summary>A <see cref="Sequential.BuildGeometry(SparseTensor)"/> piece just built: the time since the previous one.</summary>
    public void PieceBuilt(string piece, Module layer, SpatialSize size, SpatialSize filter, SpatialSize stride, int pairs)
    {
        long now = Stopwatch.GetTimestamp();
        if (_piece == _pieces.Count)
            _pieces.Add((string.Create(CultureInfo.InvariantCulture, $"{piece} of {layer} at {size}: {pairs:N0} pairs"), []));
        _pieces[_piece++].Ms.Add(Stopwatch.GetElapsedTime(_pieceMark, now).TotalMilliseconds);
        _pieceMark = now;
    }

    /// <summary>Closes a step: its per-module ticks become one sample each.</summary>
    public void EndStep()
    {
        foreach (Entry e in _order)
        {
            e.Forward.Add(e.ForwardTicks * 1e3 / Stopwatch.Frequency);
            e.Backward.Add(e.BackwardTicks * 1e3 / Stopwatch.Frequency);
            (e.ForwardTicks, e.BackwardTicks) = (0, 0);
        }
    }

    public void Print(TextWriter writer, int steps)
    {
        writer.WriteLine($"# per-layer profile, median of {steps} steps, ms; a container's forward and backward include its children's; geometry built before the forward");
        writer.WriteLine("# phases: " + string.Join(" | ", _phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {Median(p.Value):0.0}"))));
        foreach ((string name, List<double> ms) in _pieces)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# geometry {Median(ms),8:0.00} ms  {name}"));
        writer.WriteLine("# forward  backward  layer (input)");
        foreach (Entry e in _order)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {Median(e.Forward),7:0.0}  {Median(e.Backward),8:0.0}  {e.Name} ({e.Input})"));
    }

    private static double Median(List<double> values) => values.Count == 0 ? 0 : values.Order().ElementAt(values.Count / 2);

    private sealed class Entry
    {
        private long _backwardStart;

        public Entry(string name)
        {
            Name = name;
            BackwardBegins = () => _backwardStart = Stopwatch.GetTimestamp();
            BackwardEnds = () => BackwardTicks += Stopwatch.GetTimestamp() - _backwardStart;
        }

        public string Name { get; }

        public string Input { get; set; } = "";

        public long ForwardTicks { get; set; }

        public long BackwardTicks { get; set; }

        public Action BackwardBegins { get; }

        public Action BackwardEnds { get; }

        public List<double> Forward { get; } = [];

        public List<double> Backward { get; } = [];
    }
}
