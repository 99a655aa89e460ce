using SpatiallySparse.Geometry;

namespace SpatiallySparse.Backends;

public partial interface ISparseBackend
{
    /// <summary>
    /// output[o] = max over the window's active inputs and, when <paramref name="includeGround"/> and some
    /// site of the window is inactive, the input ground state of o's sample (outputGrid gives each output row's sample) (Graham's valid semantics).
    /// </summary>
    void MaxPoolForward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid,
        bool includeGround, FeatureMatrix output);

    /// <summary>
    /// Routes each output gradient to the first window element (in tap order) equal to the output, else to the
    /// ground state: gradInput and gradInputGround accumulate. With <paramref name="overwriteGradInput"/> gradInput
    /// is assigned instead (winners get the gradient, every other element zero); only for rules in which every
    /// input row belongs to exactly one window (non-overlapping windows that tile the grid, as 2x2/2 pooling).
    /// </summary>
    void MaxPoolBackward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid,
        bool includeGround, FeatureMatrix output, FeatureMatrix gradOutput, FeatureMatrix gradInput, FeatureMatrix gradInputGround,
        bool overwriteGradInput = false);

    /// <summary>
    /// output[o] = (sum of active inputs + inactive count x ground, when <paramref name="includeGround"/>) / filter volume.
    /// </summary>
    void AveragePoolForward(FeatureMatrix input, FeatureMatrix inputGround, RuleBook rules, SparseGrid outputGrid,
        bool includeGround, FeatureMatrix output);

    /// <summary>Adjoint of <see cref="AveragePoolForward"/>; gradInput and gradInputGround accumulate.</summary>
    void AveragePoolBackward(RuleBook rules, SparseGrid outputGrid, bool includeGround, FeatureMatrix gradOutput,
        FeatureMatrix gradInput, FeatureMatrix gradInputGround);
}
