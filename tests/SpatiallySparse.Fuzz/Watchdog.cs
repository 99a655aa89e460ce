namespace SpatiallySparse.Fuzz;

/// <summary>
/// Watches the input being run: one that takes longer than the limit is reported as a hang and the process ends
/// (a hung reader cannot be stopped in-process), so the run never sits silently on one input.
/// </summary>
public sealed class Watchdog : IDisposable
{
    private readonly TimeSpan _limit;
    private readonly Action<byte[]> _onHang;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private byte[]? _input;
    private long _startedAt;

    /// <summary>Starts watching.</summary>
    public Watchdog(TimeSpan limit, Action<byte[]> onHang)
    {
        _limit = limit;
        _onHang = onHang;
        _thread = new Thread(Watch) { IsBackground = true, Name = "fuzz watchdog" };
        _thread.Start();
    }

    /// <summary>Notes that <paramref name="input"/> starts running now.</summary>
    public void Begin(byte[] input)
    {
        Volatile.Write(ref _startedAt, Environment.TickCount64);
        Volatile.Write(ref _input, input);
    }

    /// <summary>Notes that the current input finished.</summary>
    public void End() => Volatile.Write(ref _input, null);

    /// <inheritdoc/>
    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void Watch()
    {
        while (!_stop.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(500)))
        {
            byte[]? input = Volatile.Read(ref _input);
            if (input is not null && Environment.TickCount64 - Volatile.Read(ref _startedAt) > _limit.TotalMilliseconds && ReferenceEquals(input, Volatile.Read(ref _input)))
            {
                _onHang(input);
                Environment.Exit(3);
            }
        }
    }
}
