using NUnit.Framework;
using SpatiallySparse.Samples.Common;

namespace SpatiallySparse.Samples.Tests;

/// <summary>The real data sets, for the tests that run a sample on them when a copy is found above the test folder.</summary>
internal static class RealData
{
    /// <summary>A locator that finds <paramref name="spec"/>'s folder but never downloads; ignores the test when there is no copy.</summary>
    public static DataFolder LocatorOrIgnore(DatasetSpec spec, TempFolder temp)
    {
        DataFolder locator = new(_ => null, cacheRoot: temp.File("cache"), downloader: FakeDownloader.Offline(), log: TextWriter.Null);
        try
        {
            locator.Locate(spec, null);
        }
        catch (DataUnavailableException)
        {
            Assert.Ignore($"No copy of the {spec.Name} data set above this folder.");
        }
        return locator;
    }
}
