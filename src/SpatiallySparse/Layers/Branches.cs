namespace SpatiallySparse.Layers;

/// <summary>What the skip-connection modules share: the same-sites check and which branch outputs may be recycled.</summary>
internal static class Branches
{
    /// <summary>
    /// Throws unless <paramref name="branch"/> lies on <paramref name="first"/>'s sites: same batch geometry, spatial
    /// size and active set (the metadata keeps one grid per size, so equal sizes within one batch mean equal sites).
    /// </summary>
    public static void CheckSameSites(Module owner, SparseTensor first, SparseTensor branch, int index)
    {
        if (!ReferenceEquals(first.Metadata, branch.Metadata))
            throw new ArgumentException($"{Name(owner)}: branch {index} returned a tensor of another batch; every branch must keep its input's batch.");
        if (!first.SpatialSize.Equals(branch.SpatialSize) || !ReferenceEquals(first.Grid, branch.Grid))
            throw new ArgumentException(
                $"{Name(owner)}: branch {index} returned {branch.SpatialSize} with {branch.ActiveCount} active sites, but branch 0 returned {first.SpatialSize} with {first.ActiveCount}; " +
                "skip connections join tensors on the same sites (a deconvolution returns onto the grid its strided convolution came from).");
    }

    /// <summary>
    /// Marks a branch's output recyclable when only the library's own modules saw it and it is not the module's
    /// input (which the caller still holds): the joining node then keeps it only for backward, like a chain's intermediates.
    /// </summary>
    public static void MarkRecyclable(Module branch, SparseTensor output, SparseTensor input)
    {
        if (!ReferenceEquals(output, input) && LibraryOnly(branch))
            output.Recyclable = true;
    }

    /// <summary>True when <paramref name="module"/> and every module nested in it are this library's own types.</summary>
    public static bool LibraryOnly(Module module)
    {
        if (module.GetType().Assembly != typeof(Module).Assembly)
            return false;
        IReadOnlyList<Module> children = module.Children;
        for (int i = 0; i < children.Count; i++)  // indexed: a foreach over the interface would allocate every step
            if (!LibraryOnly(children[i]))
                return false;
        return true;
    }

    /// <summary>Throws when <paramref name="branch"/> declares a non-sparse input or output.</summary>
    public static T CheckSparse<T>(T branch, string parameter, int index)
        where T : Module
    {
        if (branch is null)
            throw new ArgumentNullException(parameter, $"Branch {index} is null.");
        (Type? input, Type? output) = ModuleTypes.Of(branch);
        if ((input is not null && !input.IsAssignableFrom(typeof(SparseTensor))) || (output is not null && !typeof(SparseTensor).IsAssignableFrom(output) && !output.IsAssignableFrom(typeof(SparseTensor))))
            throw new ArgumentException($"Branch {index} ({branch.GetType().Name}) maps {input?.Name ?? "?"} to {output?.Name ?? "?"}; skip connections join sparse tensors.", parameter);
        return branch;
    }

    /// <summary>Runs a branch and returns its sparse output, or throws naming the branch.</summary>
    public static SparseTensor Run(Module owner, Module branch, int index, SparseTensor input, Autograd.Tape tape) =>
        branch.Forward(input, tape) as SparseTensor
            ?? throw new InvalidOperationException($"{Name(owner)}: branch {index} ({branch.GetType().Name}) returned a dense tensor; skip connections join sparse tensors.");

    /// <summary>A branch's output size: its own when it declares one, else the input's.</summary>
    public static SpatialSize OutputSize(Module branch, SpatialSize inputSize) => branch switch
    {
        SparseModule s => s.OutputSpatialSize(inputSize),
        Sequential chain => chain.OutputSpatialSize(inputSize),
        _ => inputSize,
    };

    private static string Name(Module owner) => owner.GetType().Name;
}
