using System.Globalization;
using SpatiallySparse.Autograd;
using SpatiallySparse.Layers;

namespace SpatiallySparse.Samples.Common;

/// <summary>
/// Explains a non-finite training loss from what can be seen in the network, instead of always blaming the learning
/// rate: the first layer (in module order) whose weights or gradients are non-finite, else a negative leaky-ReLU
/// slope, else the layer with the largest weight (outputs that overflowed from finite weights: a too-high --lr).
/// Only runs once the loss is already non-finite, so its cost (reading every parameter) does not matter.
/// </summary>
public static class NonFiniteDiagnosis
{
    /// <summary>A sentence naming the layer and the setting that most likely made the loss non-finite.</summary>
    public static string Explain(Module network)
    {
        ArgumentNullException.ThrowIfNull(network);
        List<(string Path, Module Module)> modules = [.. Walk(network, "network")];
        foreach ((string path, Module module) in modules)
            foreach (Parameter p in Own(module))
            {
                if (!AllFinite(p.GetValues()))
                    return $"layer {path} ({module.GetType().Name}) has non-finite values in its parameter '{p.Name}': a corrupted weight " +
                        "(a damaged checkpoint, or a value set by hand) or an earlier step that diverged (lower --lr).";
                if (!AllFinite(p.Grad.ToArray()))
                    return $"layer {path} ({module.GetType().Name}) got a non-finite gradient for '{p.Name}' in the previous step: lower --lr.";
            }
        foreach ((string path, Module module) in modules)
            if (module is LeakyRelu { Slope: < 0 } relu)
                return $"the weights are finite, but layer {path} has a negative leaky ReLU slope ({Show(relu.Slope)}, --slope): it flips the " +
                    "sign of negative inputs and lets activations grow layer after layer; use a slope in [0, 1).";
        (string where, float largest) = modules.SelectMany(m => Own(m.Module).Select(p => (m.Path, Largest(p.GetValues())))).DefaultIfEmpty(("none", 0f)).MaxBy(x => x.Item2);
        return $"the weights are finite (largest |w| = {Show(largest)}, in layer {where}) but the outputs overflowed: most likely --lr is too high; lower it.";
    }

    private static IEnumerable<(string Path, Module Module)> Walk(Module m, string path)
    {
        yield return (path, m);
        for (int i = 0; i < m.Children.Count; i++)
            foreach ((string Path, Module Module) child in Walk(m.Children[i], $"{path}.{i}"))
                yield return child;
    }

    // NamedParameters of a module without its children's: those are visited on their own.
    private static IEnumerable<Parameter> Own(Module m) =>
        m.NamedParameters().Where(p => !p.Name.Contains('.', StringComparison.Ordinal)).Select(p => p.Parameter);

    private static bool AllFinite(float[] values) => Array.TrueForAll(values, float.IsFinite);

    private static float Largest(float[] values) => values.Length == 0 ? 0f : values.Max(MathF.Abs);

    private static string Show(float value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
