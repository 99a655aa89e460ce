namespace SpatiallySparse.Geometry;

/// <summary>Growable per-tap pair lists used while a rulebook is built.</summary>
internal sealed class PairCollector
{
    private readonly List<int>[] _ins;
    private readonly List<int>[] _outs;

    public PairCollector(int filterVolume, int expectedPerTap)
    {
        _ins = new List<int>[filterVolume];
        _outs = new List<int>[filterVolume];
        for (int t = 0; t < filterVolume; t++)
        {
            _ins[t] = new List<int>(expectedPerTap);
            _outs[t] = new List<int>(expectedPerTap);
        }
    }

    public void Add(int tap, int inputRow, int outputRow)
    {
        _ins[tap].Add(inputRow);
        _outs[tap].Add(outputRow);
    }

    public RuleBook ToRuleBook(int inputRows, int outputRows)
    {
        int[][] ins = new int[_ins.Length][];
        int[][] outs = new int[_ins.Length][];
        for (int t = 0; t < _ins.Length; t++)
        {
            ins[t] = [.. _ins[t]];
            outs[t] = [.. _outs[t]];
        }
        return new RuleBook(_ins.Length, inputRows, outputRows, ins, outs);
    }
}
