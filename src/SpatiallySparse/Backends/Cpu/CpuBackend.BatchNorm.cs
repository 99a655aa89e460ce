namespace SpatiallySparse.Backends.Cpu;

public sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void BatchNormStatistics(FeatureMatrix x, FeatureMatrix mean, FeatureMatrix variance)
    {
        int c = x.Columns;
        CheckShape(mean, 1, c, "Batch norm mean");
        CheckShape(variance, 1, c, "Batch norm variance");
        Span<float> xs = Host(x), m = Host(mean), v = Host(variance);
        // Two passes in double: the variance of activations with a large mean loses digits in one pass.
        double[] sum = new double[c];
        for (int r = 0; r < x.Rows; r++)
            for (int ch = 0; ch < c; ch++)
                sum[ch] += xs[r * c + ch];
        for (int ch = 0; ch < c; ch++)
            sum[ch] /= Math.Max(1, x.Rows);
        double[] sq = new double[c];
        for (int r = 0; r < x.Rows; r++)
            for (int ch = 0; ch < c; ch++)
            {
                double d = xs[r * c + ch] - sum[ch];
                sq[ch] += d * d;
            }
        for (int ch = 0; ch < c; ch++)
        {
            m[ch] = (float)sum[ch];
            v[ch] = (float)(sq[ch] / Math.Max(1, x.Rows));
        }
    }

    /// <inheritdoc/>
    public void BatchNormForward(FeatureMatrix x, FeatureMatrix mean, FeatureMatrix variance, float epsilon,
        FeatureMatrix gamma, FeatureMatrix beta, FeatureMatrix y)
    {
        int c = x.Columns;
        CheckSameShape(x, y, nameof(BatchNormForward));
        foreach (FeatureMatrix p in (ReadOnlySpan<FeatureMatrix>)[mean, variance, gamma, beta])
            CheckShape(p, 1, c, "Batch norm parameter");
        Span<float> xs = Host(x), ys = Host(y), m = Host(mean), v = Host(variance), ga = Host(gamma), be = Host(beta);
        Span<float> scale = c <= 1024 ? stackalloc float[c] : new float[c];
        Span<float> shift = c <= 1024 ? stackalloc float[c] : new float[c];
        for (int ch = 0; ch < c; ch++)
        {
            scale[ch] = ga[ch] / MathF.Sqrt(v[ch] + epsilon);
            shift[ch] = be[ch] - m[ch] * scale[ch];
        }
        for (int r = 0; r < x.Rows; r++)
            for (int ch = 0; ch < c; ch++)
                ys[r * c + ch] = xs[r * c + ch] * scale[ch] + shift[ch];
    }

    /// <inheritdoc/>
    public void BatchNormBackward(FeatureMatrix x, FeatureMatrix gradY, FeatureMatrix ground, FeatureMatrix gradGroundY,
        FeatureMatrix mean, FeatureMatrix variance, float epsilon, FeatureMatrix gamma, bool batchStatistics,
        FeatureMatrix gradX, FeatureMatrix gradGround, FeatureMatrix gradGamma, FeatureMatrix gradBeta)
    {
        int c = x.Columns, n = x.Rows, batch = ground.Rows;
        CheckSameShape(x, gradY, "Batch norm output gradient");
        CheckSameShape(x, gradX, "Batch norm input gradient");
        CheckSameShape(ground, gradGroundY, "Batch norm ground gradient");
        CheckSameShape(ground, gradGround, "Batch norm ground gradient");
        Span<float> xs = Host(x), dy = Host(gradY), g = Host(ground), dgy = Host(gradGroundY), m = Host(mean), v = Host(variance);
        Span<float> ga = Host(gamma), dx = Host(gradX), dg = Host(gradGround), dga = Host(gradGamma), dbe = Host(gradBeta);
        for (int ch = 0; ch < c; ch++)
        {
            double istd = 1.0 / Math.Sqrt(v[ch] + epsilon), mu = m[ch], gam = ga[ch];
            // The ground state is normalised with the batch statistics but not counted in them, so it adds to
            // the sums through which the gradient reaches mean and variance.
            double sumDy = 0, sumDyHat = 0;
            for (int r = 0; r < n; r++)
            {
                sumDy += dy[r * c + ch];
                sumDyHat += dy[r * c + ch] * (xs[r * c + ch] - mu) * istd;
            }
            for (int b = 0; b < batch; b++)
            {
                sumDy += dgy[b * c + ch];
                sumDyHat += dgy[b * c + ch] * (g[b * c + ch] - mu) * istd;
                dg[b * c + ch] += (float)(dgy[b * c + ch] * gam * istd);
            }
            dga[ch] += (float)sumDyHat;
            dbe[ch] += (float)sumDy;
            double s1 = batchStatistics && n > 0 ? gam * sumDy / n : 0, s2 = batchStatistics && n > 0 ? gam * sumDyHat / n : 0;
            for (int r = 0; r < n; r++)
            {
                double xhat = (xs[r * c + ch] - mu) * istd;
                dx[r * c + ch] += (float)(istd * (dy[r * c + ch] * gam - s1 - xhat * s2));
            }
        }
    }
}
