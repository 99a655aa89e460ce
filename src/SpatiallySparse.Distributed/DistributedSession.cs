using MPI;

namespace SpatiallySparse.Distributed;

/// <summary>
/// One process of an MPI job (started by <c>mpiexec -n N</c>): initialises MPI with
/// <see cref="Threading.Serialized"/> (the gradient all-reduce runs on a background thread while backward runs,
/// never two MPI calls at once), and gives the rank, the world size and the collective calls the rest of this
/// package uses. Dispose finalises MPI; one session per process.
/// </summary>
public sealed class DistributedSession : IDisposable
{
    private readonly MPI.Environment _environment;
    private bool _disposed;

    /// <summary>Loads the MPI library (<see cref="MpiLibrary.Load"/>) and initialises MPI.</summary>
    /// <param name="args">The program's arguments (MPI may remove its own).</param>
    /// <exception cref="DllNotFoundException">No MPI library is installed.</exception>
    /// <exception cref="InvalidOperationException">The MPI library cannot run a background communication thread.</exception>
    public DistributedSession(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        MpiLibrary.Load();
        _environment = new MPI.Environment(ref args, Threading.Serialized);
        World = Communicator.world;
        if (MPI.Environment.Threading < Threading.Serialized)
            throw new InvalidOperationException($"The MPI library provides thread level {MPI.Environment.Threading}; data-parallel training needs {Threading.Serialized} (one thread at a time, not only the main one).");
    }

    /// <summary>This process's rank, 0..<see cref="WorldSize"/>-1.</summary>
    public int Rank => World.Rank;

    /// <summary>Number of processes in the job.</summary>
    public int WorldSize => World.Size;

    /// <summary>True on rank 0, which writes checkpoints and reports.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>The world communicator.</summary>
    internal Intracommunicator World { get; }

    /// <summary>Sums <paramref name="buffer"/> element-wise over all ranks, in place (blocking).</summary>
    public void AllreduceSum(float[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        float[] result = new float[buffer.Length];
        AllreduceSum(buffer, result);
        result.CopyTo(buffer, 0);
    }

    /// <summary>Sums <paramref name="send"/> over all ranks into <paramref name="receive"/> (distinct arrays of one length: MPI forbids aliasing).</summary>
    internal void AllreduceSum(float[] send, float[] receive)
    {
        World.Allreduce(send, Operation<float>.Add, ref receive);
    }

    /// <summary>Replaces <paramref name="buffer"/> with rank 0's on every rank.</summary>
    public void Broadcast(float[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        World.Broadcast(ref buffer, 0);
    }

    /// <summary>Waits until every rank reaches this call.</summary>
    public void Barrier() => World.Barrier();

    /// <summary>
    /// Runs <paramref name="body"/>; an exception on this rank prints <c>rank R: message</c> (and the stack) to the
    /// error stream and aborts the whole job with exit code 1, so the other ranks never wait for this one forever.
    /// </summary>
    public void RunOrAbort(Action<DistributedSession> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            body(this);
        }
#pragma warning disable CA1031 // every failure must abort the job, whatever its type
        catch (Exception e)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine($"rank {Rank}: {e.Message}");
            Console.Error.WriteLine(e);
            Console.Error.Flush();
            World.Abort(1);
        }
    }

    /// <summary>Finalises MPI.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _environment.Dispose();
    }
}
