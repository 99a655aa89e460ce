using SpatiallySparse.Ilgpu;

namespace SpatiallySparse.GpuCheck;

/// <summary>Collects the check's lines and prints a short summary (one "SUMMARY key value" line per figure).</summary>
internal sealed class Report(IlgpuBackend backend)
{
    private readonly List<(string Key, string Value)> _summary = [];

    /// <summary>Peak fp32 (non-tensor-core) TFLOP/s of the card, when known: H100 SXM and H200 67, H100 PCIe 51.</summary>
    public double? PeakTflops
    {
        get
        {
            string name = backend.DeviceName;
            if (name.Contains("H100", StringComparison.OrdinalIgnoreCase) && name.Contains("PCIe", StringComparison.OrdinalIgnoreCase))
                return 51.2;
            return name.Contains("H100", StringComparison.OrdinalIgnoreCase) || name.Contains("H200", StringComparison.OrdinalIgnoreCase) ? 66.9 : null;
        }
    }

    public void Header()
    {
        Console.WriteLine($"device: {backend.DeviceName} ({backend.Name}), tile {backend.TileSize}, fp32 peak {(PeakTflops is double p ? $"{p} TFLOP/s" : "unknown")}");
        Add("device", backend.DeviceName);
    }

    public void Add(string key, string value) => _summary.Add((key, value));

    public void Summary()
    {
        Console.WriteLine();
        foreach ((string key, string value) in _summary)
            Console.WriteLine($"SUMMARY {key} {value}");
    }
}
