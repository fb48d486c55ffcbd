namespace Kmesh.Plugins.LoadBalance;

/// <summary>
/// Maglev's lookup table (Eisenbud et al., NSDI 2016), weighted as Envoy weights it: each
/// endpoint walks its own permutation of the table (offset and skip from two hashes of its
/// address) and claims the first free entry on each turn; an endpoint of relative weight w
/// gets a turn in that share of the rounds. The table maps a client hash (mod its prime size)
/// to an endpoint; adding an endpoint changes about 1/N of the entries.
/// </summary>
internal static class MaglevTable
{
    /// <summary>
    /// The default size. Envoy's is 65537, sized for a userspace array of pointers; here each
    /// entry is a kernel map element per address family, so the default is the prime 4093
    /// (good balance up to a few dozen endpoints). maglev_lb_config.table_size overrides it.
    /// </summary>
    public const int DefaultTableSize = 4093;

    /// <summary>The largest table honoured (Envoy's default; larger sizes are refused).</summary>
    public const int MaxTableSize = 65537;

    public static int[] Build(IReadOnlyList<string> endpointKeys, IReadOnlyList<uint> weights, int tableSize)
    {
        var n = endpointKeys.Count;
        var offsets = new long[n];
        var skips = new long[n];
        var next = new long[n];
        for (var i = 0; i < n; i++)
        {
            offsets[i] = (long)(StableHash.Of(endpointKeys[i] + "#offset") % (ulong)tableSize);
            skips[i] = (long)(StableHash.Of(endpointKeys[i] + "#skip") % (ulong)(tableSize - 1)) + 1;
        }
        var maxWeight = weights.Max(w => (double)w);
        var credit = new double[n];
        var table = new int[tableSize];
        Array.Fill(table, -1);
        var filled = 0;
        while (filled < tableSize)
        {
            for (var i = 0; i < n && filled < tableSize; i++)
            {
                credit[i] += weights[i] / maxWeight;
                if (credit[i] < 1)
                    continue;
                credit[i] -= 1;
                // The next entry of this endpoint's permutation that nobody holds yet.
                long entry;
                do
                {
                    entry = (offsets[i] + next[i] * skips[i]) % tableSize;
                    next[i]++;
                }
                while (table[entry] >= 0);
                table[entry] = i;
                filled++;
            }
        }
        return table;
    }

    public static bool IsPrime(ulong value)
    {
        if (value < 2)
            return false;
        for (ulong d = 2; d * d <= value; d++)
        {
            if (value % d == 0)
                return false;
        }
        return true;
    }
}
