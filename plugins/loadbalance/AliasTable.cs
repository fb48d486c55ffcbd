namespace Kmesh.Plugins.LoadBalance;

/// <summary>One column of an alias table: its own endpoint's share of it, and who takes the rest.</summary>
/// <param name="Cut">The column keeps its own endpoint for 32-bit draws below this; 0: for every draw.</param>
/// <param name="Alias">The column (hence endpoint) that takes the draws from <paramref name="Cut"/> on; itself when Cut is 0.</param>
public readonly record struct AliasColumn(uint Cut, int Alias);

/// <summary>
/// Vose's alias method: n weighted endpoints become n columns of equal probability, each split
/// between its own endpoint and at most one other. A uniform column plus one uniform 32-bit draw
/// is then a weighted choice: two lookups per connect in the kernel whatever the number of
/// endpoints, one map entry per endpoint, and every share exact to within 2^-32 per column
/// (a schedule of slots would need about 1 000 slots per endpoint to hold shares to 0.1%).
/// </summary>
/// <remarks>
/// Built in exact integers: column capacity is Σw and endpoint i brings w_i·n of mass, so no
/// rounding accumulates while pairing; only each cut is rounded (down, to 32 bits) at the end.
/// Deterministic: the same weights give the same table, so a re-translation writes nothing.
/// </remarks>
public static class AliasTable
{
    /// <summary>The columns, one per weight, column i starting with endpoint i.</summary>
    /// <param name="weights">Positive weights.</param>
    public static AliasColumn[] Build(IReadOnlyList<uint> weights)
    {
        var n = weights.Count;
        var columns = new AliasColumn[n];
        var mass = new long[n];
        long total = 0;
        for (var i = 0; i < n; i++)
        {
            if (weights[i] == 0)
                throw new ArgumentException($"weight {i} is 0; an alias table holds positive weights only", nameof(weights));
            mass[i] = (long)weights[i] * n; // at most 2^32 · 2^18: well within 63 bits
            total += weights[i];
            columns[i] = new AliasColumn(0, i);
        }
        var small = new Stack<int>();
        var large = new Stack<int>();
        // Pushed in reverse so that columns pair up from the first one: easier to read in a dump.
        for (var i = n - 1; i >= 0; i--)
            (mass[i] < total ? small : large).Push(i);
        while (small.Count > 0 && large.Count > 0)
        {
            var s = small.Pop();
            var l = large.Peek();
            columns[s] = new AliasColumn(Cut(mass[s], total), l);
            mass[l] -= total - mass[s];
            if (mass[l] < total)
                small.Push(large.Pop());
        }
        // In exact integers what is left holds exactly one column's worth each: kept whole (cut 0).
        return columns;
    }

    /// <summary>mass/total of 2^32, rounded down, and at least 1 (0 means "keeps every draw").</summary>
    private static uint Cut(long mass, long total)
    {
        var cut = (UInt128)(ulong)mass * (1UL << 32) / (ulong)total;
        return (uint)Math.Max(1UL, (ulong)cut);
    }
}
