namespace SpatiallySparse.Layers;

/// <summary>The tensor types a module declares through <see cref="Module{TInput, TOutput}"/>, to check chains early.</summary>
internal static class ModuleTypes
{
    /// <summary>Throws when a chain's declared first input or last output cannot be <paramref name="input"/> / <paramref name="output"/>.</summary>
    public static void CheckChain(Sequential chain, Type input, Type output)
    {
        IReadOnlyList<Module> modules = chain.Children;
        if (modules.Count == 0)
            return;
        if (Of(modules[0]).Input is Type first && !Compatible(first, input))
            throw new ArgumentException($"The first module, {modules[0].GetType().Name}, reads {first.Name}, not the declared input {input.Name}.", "modules");
        if (Of(modules[^1]).Output is Type last && !Compatible(last, output))
            throw new ArgumentException($"The last module, {modules[^1].GetType().Name}, returns {last.Name}, not the declared output {output.Name}.", "modules");
    }

    /// <summary>A module's declared input and output types; null where it declares none (an untyped chain's unknown end).</summary>
    public static (Type? Input, Type? Output) Of(Module module)
    {
        for (Type? t = module.GetType(); t is not null; t = t.BaseType)
            if (t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(Module<,>) || t.GetGenericTypeDefinition() == typeof(Sequential<,>)))
                return (t.GetGenericArguments()[0], t.GetGenericArguments()[1]);
        if (module is Sequential { Children.Count: > 0 } chain)
            return (Of(chain.Children[0]).Input, Of(chain.Children[^1]).Output);
        return (null, null);
    }

    /// <summary>Types that may meet at run time: one derives from the other.</summary>
    private static bool Compatible(Type declared, Type wanted) => wanted.IsAssignableFrom(declared) || declared.IsAssignableFrom(wanted);
}
