using CsCheck;
using NUnit.Framework;
using SpatiallySparse.Autograd;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Properties;

/// <summary>
/// Every generated bad batch is refused with an <see cref="ArgumentException"/> (or a subclass), never another
/// exception and never a hang: each case runs under a time bound.
/// </summary>
[TestFixture]
public sealed class BadInputProperties
{
    private enum Fault
    {
        CoordinateBelowZero,
        CoordinateAtExtent,
        TooFewCoordinates,
        TooManyFeatures,
        SampleOutsideBatch,
        NegativeSample,
        EmptySample,
        DuplicateSite,
        FilterLargerThanGrid,
    }

    private static readonly Gen<(SparseCase Case, Fault Fault, int Which)> Cases =
        from c in SparseCases.On(SparseCases.Extents(64))
        from fault in Gen.Enum<Fault>()
        from which in Gen.Int[0, 1000]
        select (c, fault, which);

    [Test]
    public void EveryBadBatchGivesAnArgumentException() =>
        Cases.Sample(t =>
        {
            Task<Exception?> run = Task.Run(() => Catch(t.Case, t.Fault, t.Which));
            Assert.That(run.Wait(TimeSpan.FromSeconds(10)), Is.True, "no answer within 10 s");
            Exception? e = run.Result;
            if (e is null && t.Fault is Fault.DuplicateSite or Fault.FilterLargerThanGrid)
                return; // not always a fault: a one-site grid has no second site; a filter the size of the grid fits
            Assert.That(e, Is.InstanceOf<ArgumentException>(), $"{t.Fault}: {e}");
        }, iter: 1500, threads: 1, print: t => $"{t.Fault} #{t.Which} on {t.Case}");

    private static Exception? Catch(SparseCase c, Fault fault, int which)
    {
        try
        {
            Apply(c, fault, which);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static void Apply(SparseCase c, Fault fault, int which)
    {
        (int Sample, int[] Site, float[] Features) p = c.Points[which % c.Points.Length];
        int d = which % c.Dimension;
        SparseInput input = fault == Fault.EmptySample ? new SparseInput(c.Batch + 1, c.Dimension, c.Channels) : c.Input();
        switch (fault)
        {
            case Fault.CoordinateBelowZero:
                input.Add(p.Sample, Changed(p.Site, d, -1 - which), p.Features);
                break;
            case Fault.CoordinateAtExtent:
                input.Add(p.Sample, Changed(p.Site, d, c.Extent[d] + which % 3), p.Features);
                break;
            case Fault.TooFewCoordinates:
                input.Add(p.Sample, p.Site[..^1], p.Features);
                break;
            case Fault.TooManyFeatures:
                input.Add(p.Sample, p.Site, [.. p.Features, 1f]);
                break;
            case Fault.SampleOutsideBatch:
                input.Add(c.Batch + which % 3, p.Site, p.Features);
                break;
            case Fault.NegativeSample:
                input.Add(-1 - which, p.Site, p.Features);
                break;
            case Fault.EmptySample:
                foreach ((int sample, int[] site, float[] features) in c.Points)
                    input.Add(sample + 1, site, features); // sample 0 stays empty
                break;
            case Fault.DuplicateSite:
                input.Add(p.Sample, p.Site, p.Features);
                break;
        }
        using Tape tape = new(recordGradients: false);
        SparseTensor x = new InputLayer(new SpatialSize(c.Extent)).Forward(input, CpuBackend.Shared, tape);
        if (fault == Fault.FilterLargerThanGrid)
            new Convolution(c.Dimension, c.Channels, 2, c.Extent.Max() + 1).Forward(x, tape);
    }

    private static int[] Changed(int[] site, int d, int value)
    {
        int[] copy = (int[])site.Clone();
        copy[d] = value;
        return copy;
    }
}
