namespace SpatiallySparse.Distributed.Tests;

/// <summary>The resolver's candidates and its message when nothing loads (in process: no MPI needed).</summary>
[TestFixture]
public sealed class MpiLibraryTests
{
    [Test]
    public void NoLoadableLibraryNamesEveryTriedNameAndThePackageThatInstallsOne()
    {
        DllNotFoundException e = Assert.Throws<DllNotFoundException>(() => MpiLibrary.LoadFirst(["/nonexistent/libmpi-missing.so.99", "libnot-an-mpi.so.7"]))!;
        Assert.That(e.Message, Does.Contain("/nonexistent/libmpi-missing.so.99").And.Contain("libnot-an-mpi.so.7"));
        Assert.That(e.Message, Does.Contain(OperatingSystem.IsWindows() ? "MS-MPI" : "mpich"));
        Assert.That(e.Message, Does.Contain(MpiLibrary.EnvironmentVariable));
    }

    [Test]
    public void TheEnvironmentVariableIsTriedFirst()
    {
        IReadOnlyList<string> names = MpiLibrary.Candidates("/opt/intel/mpi/lib/libmpi.so.12");
        Assert.That(names[0], Is.EqualTo("/opt/intel/mpi/lib/libmpi.so.12"));
        Assert.That(names, Has.Count.GreaterThan(1));
        Assert.That(MpiLibrary.Candidates(null), Does.Not.Contain(null));
    }
}
