using SpatiallySparse.Autograd;
using SpatiallySparse.Backends;
using SpatiallySparse.Backends.Cpu;
using SpatiallySparse.Dense;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Tests.Dense;

/// <summary>
/// Runs a sparse layer and its dense twin on the same fully active input (every site a point, row-major, so
/// sparse rows and dense rows coincide) and seeds both outputs with the same gradient: the twins must agree on
/// the output, the input gradient and every parameter gradient.
/// </summary>
internal static class FullyActive
{
    public sealed record Result(float[] Output, float[] InputGradient, float[][] ParameterGradients);

    public static float[] RandomInput(SpatialSize size, int batch, int channels, int seed)
    {
        Random random = new(seed);
        return [.. Enumerable.Range(0, batch * (int)size.Volume * channels).Select(_ => random.NextSingle() * 2 - 1)];
    }

    public static Result Sparse(Module module, float[] input, SpatialSize size, int batch, int channels, int projectionSeed)
    {
        SparseInput points = new(batch, size.Dimension, channels) { RequiresGradient = true };
        int[] coordinate = new int[size.Dimension];
        for (int b = 0; b < batch; b++)
            for (int s = 0; s < size.Volume; s++)
            {
                size.Coordinate(s, coordinate);
                points.Add(b, coordinate, input.AsSpan((b * (int)size.Volume + s) * channels, channels));
            }
        module.ZeroGrad();
        using Tape tape = new();
        Tensor y = module.Forward(new InputLayer(size).Forward(points, CpuBackend.Shared, tape), tape);
        Seed(y, projectionSeed);
        tape.Backward();
        return new Result(y.Features.ToArray(), points.FeatureGradient!, [.. module.Parameters().Select(p => p.Grad.ToArray())]);
    }

    public static Result Dense(Module module, float[] input, SpatialSize size, int batch, int channels, int projectionSeed)
    {
        ISparseBackend be = CpuBackend.Shared;
        FeatureMatrix m = be.Allocate(batch * (int)size.Volume, channels);
        be.Upload(input, m);
        module.ZeroGrad();
        using Tape tape = new();
        DenseFeatureMap x = tape.Own(new DenseFeatureMap(m, batch, size, requiresGradient: true));
        Tensor y = module.Forward(x, tape);
        Seed(y, projectionSeed);
        tape.Backward();
        return new Result(y.Features.ToArray(), x.Grad!.ToArray(), [.. module.Parameters().Select(p => p.Grad.ToArray())]);
    }

    private static void Seed(Tensor y, int seed)
    {
        Random random = new(seed);
        float[] r = [.. Enumerable.Range(0, y.Features.Rows * y.Features.Columns).Select(_ => random.NextSingle() * 2 - 1)];
        y.Backend.Upload(r, y.GradOrCreate());
    }
}
