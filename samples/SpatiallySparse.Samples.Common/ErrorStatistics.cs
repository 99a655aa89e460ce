using MathNet.Numerics.Distributions;

namespace SpatiallySparse.Samples.Common;

/// <summary>
/// The statistics the result tables report: a test error's confidence interval (Wilson's score interval over the
/// test set size) and a paired comparison of two networks on the same test images (McNemar's exact test).
/// </summary>
public static class ErrorStatistics
{
    /// <summary>
    /// Wilson's score interval for an error rate of <paramref name="wrong"/> out of <paramref name="count"/>, at
    /// <paramref name="confidence"/> (0.95: the 95% interval). Unlike the normal approximation it stays inside
    /// [0, 1] and is not empty at 0 errors, which matters at MNIST's error rates of a few in a thousand.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A count below 1, <paramref name="wrong"/> outside [0, count] or a confidence outside (0, 1).</exception>
    public static ErrorInterval Wilson(int wrong, int count, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (wrong < 0 || wrong > count)
            throw new ArgumentOutOfRangeException(nameof(wrong), wrong, $"Errors must lie in [0, {count}] (the test set size).");
        if (!(confidence is > 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence level must lie in (0, 1), e.g. 0.95.");
        double z = Normal.InvCDF(0, 1, 1 - (1 - confidence) / 2), n = count, p = wrong / n, z2 = z * z;
        double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
        double half = z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new ErrorInterval(Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>
    /// McNemar's exact two-sided test of two classifiers on the same test images: under the null hypothesis (equal
    /// error rates) each image that exactly one of them gets wrong is equally likely to be either's, so the smaller
    /// of the two discordant counts is Binomial(b + c, 1/2). Returns the p-value (1 when no image is discordant).
    /// </summary>
    /// <param name="onlyFirstWrong">Images the first classifier gets wrong and the second right (b).</param>
    /// <param name="onlySecondWrong">Images the second gets wrong and the first right (c).</param>
    public static double McNemar(int onlyFirstWrong, int onlySecondWrong)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(onlyFirstWrong);
        ArgumentOutOfRangeException.ThrowIfNegative(onlySecondWrong);
        int discordant = onlyFirstWrong + onlySecondWrong;
        if (discordant == 0)
            return 1;
        double tail = Binomial.CDF(0.5, discordant, Math.Min(onlyFirstWrong, onlySecondWrong));
        return Math.Min(1, 2 * tail);
    }

    /// <summary>McNemar's test from the two classifiers' sets of misclassified test images (indices into the same test set).</summary>
    public static (int OnlyFirstWrong, int OnlySecondWrong, double P) McNemar(IReadOnlyCollection<int> firstMistakes, IReadOnlyCollection<int> secondMistakes)
    {
        ArgumentNullException.ThrowIfNull(firstMistakes);
        ArgumentNullException.ThrowIfNull(secondMistakes);
        HashSet<int> first = [.. firstMistakes], second = [.. secondMistakes];
        int b = first.Count(i => !second.Contains(i)), c = second.Count(i => !first.Contains(i));
        return (b, c, McNemar(b, c));
    }
}

/// <summary>A confidence interval of an error rate (fractions, not percentages).</summary>
/// <param name="Low">Lower bound.</param>
/// <param name="High">Upper bound.</param>
public readonly record struct ErrorInterval(double Low, double High);
