using System.Runtime.InteropServices;

namespace SpatiallySparse.Samples.Common;

/// <summary>
/// Turns the first Ctrl-C (SIGINT) or SIGTERM into a cancellation request: the trainer saves a checkpoint and
/// stops. A second signal is left to its default action, which ends the process at once.
/// </summary>
public sealed class ConsoleCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly TextWriter _log;
    private readonly PosixSignalRegistration[] _registrations;

    private ConsoleCancellation(TextWriter log)
    {
        _log = log;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>The token the first signal cancels.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Starts listening for Ctrl-C and SIGTERM; messages go to <paramref name="log"/>.</summary>
    public static ConsoleCancellation Listen(TextWriter log) => new(log ?? throw new ArgumentNullException(nameof(log)));

    /// <summary>Stops listening.</summary>
    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
            registration.Dispose();
        _source.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (_source.IsCancellationRequested)
            return;
        context.Cancel = true;
        _log.WriteLine($"{context.Signal}: stopping after this batch and saving a checkpoint (send it again to quit at once).");
        _source.Cancel();
    }
}
