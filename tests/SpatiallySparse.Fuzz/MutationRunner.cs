using System.Diagnostics;
using System.Security.Cryptography;

namespace SpatiallySparse.Fuzz;

/// <summary>What a fuzzing run did: executions, distinct findings and where they were written.</summary>
/// <param name="Executions">Inputs run.</param>
/// <param name="Findings">Distinct findings (by exception type and throwing method), each saved once.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record FuzzReport(long Executions, int Findings, double Seconds);

/// <summary>
/// An in-process mutation fuzzer (libFuzzer's driver is not available here, nor AFL on every machine): it takes a
/// seed or an earlier interesting input, applies a few random mutations (bit flips, interesting bytes and 32-bit
/// values, truncation, duplication and deletion of ranges, splicing with another input) and runs the target. An
/// exception other than the target's documented format exception is saved to the findings folder; an input that
/// runs longer than the hang limit is saved and ends the run. Inputs that end in a new way (a new exception
/// message shape) join the pool, a cheap stand-in for coverage feedback.
/// </summary>
public sealed class MutationRunner(string target, IReadOnlyList<byte[]> seeds, string findings, int seed, TextWriter log)
{
    private const int MaxInput = 1 << 16;
    private static readonly int[] Interesting32 = [0, 1, -1, 127, 128, 255, 256, 0x7FFF, 0x8000, 0xFFFF, 0x10000, int.MaxValue, int.MinValue, 2049, 2051, 60000, 28];

    private readonly Random _random = new(seed);
    private readonly List<byte[]> _pool = [.. seeds];
    private readonly HashSet<string> _outcomes = [];
    private readonly HashSet<string> _found = [];

    /// <summary>Runs until <paramref name="duration"/> has passed; inputs slower than <paramref name="hangLimit"/> are hangs.</summary>
    public FuzzReport Run(TimeSpan duration, TimeSpan hangLimit)
    {
        if (_pool.Count == 0)
            throw new ArgumentException($"No seed inputs for target '{target}'.", nameof(seeds));
        Directory.CreateDirectory(findings);
        string scratch = Directory.CreateTempSubdirectory($"fuzz-{target}-").FullName;
        Stopwatch clock = Stopwatch.StartNew();
        long executions = 0;
        try
        {
            using Watchdog watchdog = new(hangLimit, input => Save("hang", input, "ran longer than " + hangLimit));
            while (clock.Elapsed < duration)
            {
                byte[] input = Mutate(_pool[_random.Next(_pool.Count)]);
                watchdog.Begin(input);
                Execute(input, scratch);
                watchdog.End();
                if (++executions % 100_000 == 0)
                    log.WriteLine($"{target}: {executions} executions, {_found.Count} findings, pool {_pool.Count}, {clock.Elapsed.TotalSeconds:0} s");
            }
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
        return new FuzzReport(executions, _found.Count, clock.Elapsed.TotalSeconds);
    }

    private void Execute(byte[] input, string scratch)
    {
        string outcome;
        try
        {
            FuzzTargets.Run(target, input, scratch);
            outcome = "ok";
        }
        catch (Exception e) when (FuzzTargets.IsDocumented(target, e))
        {
            // Digits removed: "offset 17" and "offset 18" are the same way of failing.
            outcome = new string([.. e.Message.Where(ch => !char.IsAsciiDigit(ch))]);
        }
        catch (Exception e)
        {
            string where = e.StackTrace?.Split('\n').FirstOrDefault()?.Trim() ?? "?";
            string key = $"{e.GetType().Name} {where}";
            if (_found.Add(key))
                Save("crash", input, $"{e.GetType().FullName}: {e.Message}\n{e.StackTrace}");
            return;
        }
        if (_outcomes.Add(outcome) && _pool.Count < 4096)
            _pool.Add(input);
    }

    private void Save(string kind, byte[] input, string description)
    {
        string name = $"{kind}-{Convert.ToHexString(SHA256.HashData(input))[..16].ToLowerInvariant()}";
        File.WriteAllBytes(Path.Combine(findings, name + ".bin"), input);
        File.WriteAllText(Path.Combine(findings, name + ".txt"), description);
        log.WriteLine($"{target}: finding {name}: {description.Split('\n')[0]}");
    }

    private byte[] Mutate(byte[] parent)
    {
        List<byte> data = [.. parent];
        int steps = 1 + _random.Next(4);
        for (int i = 0; i < steps; i++)
            MutateOnce(data);
        return [.. data.Take(MaxInput)];
    }

    private void MutateOnce(List<byte> data)
    {
        int n = data.Count;
        switch (_random.Next(n == 0 ? 1 : 8))
        {
            case 0:
                data.Insert(_random.Next(n + 1), (byte)_random.Next(256));
                break;
            case 1:
                data[_random.Next(n)] ^= (byte)(1 << _random.Next(8));
                break;
            case 2:
                data[_random.Next(n)] = (byte)Interesting32[_random.Next(Interesting32.Length)];
                break;
            case 3 when n >= 4:
                int at = _random.Next(n - 3), value = Interesting32[_random.Next(Interesting32.Length)];
                byte[] bytes = _random.Next(2) == 0 ? [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value] : BitConverter.GetBytes(value);
                for (int k = 0; k < 4; k++)
                    data[at + k] = bytes[k];
                break;
            case 4:
                int cut = _random.Next(n + 1);
                data.RemoveRange(cut, n - cut);
                break;
            case 5:
                int from = _random.Next(n), length = Math.Min(n - from, 1 + _random.Next(64));
                data.InsertRange(_random.Next(n + 1), data.GetRange(from, length));
                break;
            case 6:
                int start = _random.Next(n), count = Math.Min(n - start, 1 + _random.Next(32));
                data.RemoveRange(start, count);
                break;
            default:
                byte[] other = _pool[_random.Next(_pool.Count)];
                if (other.Length == 0)
                    break;
                int split = _random.Next(Math.Min(n, other.Length) + 1);
                data.RemoveRange(split, n - split);
                data.AddRange(other.Skip(split));
                break;
        }
    }
}
