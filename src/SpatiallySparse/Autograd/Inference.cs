using SpatiallySparse.Layers;

namespace SpatiallySparse.Autograd;

/// <summary>
/// The tape-free forward behind <see cref="Module.Forward(Tensor)"/>: evaluation mode, a tape that records
/// nothing and owns the intermediates, and a result handed over to the caller when that tape is freed.
/// </summary>
internal static class Inference
{
    public static TOutput Run<TOutput>(Module module, Tensor input, Func<Module, Tensor, Tape, TOutput> forward)
        where TOutput : Tensor
    {
        ArgumentNullException.ThrowIfNull(input);
        List<Module> switched = SwitchToEval(module);
        try
        {
            using Tape tape = new(recordGradients: false);
            TOutput result = forward(module, input, tape);
            if (!ReferenceEquals(result, input))
                tape.Disown(result);
            return result;
        }
        finally
        {
            foreach (Module m in switched)
                m.SetOwnMode(training: true);
        }
    }

    /// <summary>Puts every module of the tree that is training into evaluation mode; returns them, to switch back.</summary>
    private static List<Module> SwitchToEval(Module root)
    {
        List<Module> switched = [];
        Visit(root);
        return switched;

        void Visit(Module m)
        {
            if (m.IsTraining)
            {
                m.SetOwnMode(training: false);
                switched.Add(m);
            }
            foreach (Module child in m.Children)
                Visit(child);
        }
    }
}
