using Kmesh.Waypoint.Routing;

namespace Kmesh.Waypoint.Upstream;

/// <summary>
/// Maglev's lookup table (Eisenbud et al., NSDI 2016), as Envoy's <c>MAGLEV</c> policy builds it: a
/// table of a prime size (Envoy's default 65 537) in which every endpoint claims slots in the order
/// of its own permutation of the table, taking turns in proportion to its weight, until every slot
/// has an owner. A key goes to the owner of slot <c>key mod size</c>: one array read, where the ring
/// searches. Every endpoint owns nearly its weighted share of the slots (the paper's balance), and
/// when an endpoint goes, most keys of the others keep their endpoint (not all: Maglev trades a
/// little of the ring's stability for balance).
/// </summary>
internal sealed class MaglevTable
{
    /// <summary>Envoy's default <c>maglev_lb_config.table_size</c>: a prime, about 100 slots per endpoint for hundreds of endpoints.</summary>
    public const int DefaultSize = 65537;

    private readonly UpstreamEndpoint[] _slots;

    /// <param name="size">The table's size; Maglev needs a prime so that every skip visits every slot.</param>
    public MaglevTable(IReadOnlyList<UpstreamEndpoint> endpoints, int size = DefaultSize)
    {
        if (!IsPrime(size))
            throw new ArgumentException($"Maglev's table size must be a prime, not {size}", nameof(size));
        _slots = new UpstreamEndpoint[endpoints.Count == 0 ? 0 : size];
        if (endpoints.Count == 0)
            return;
        // Turns go in the order of the addresses, not of the EDS message: the table is a function of the set.
        endpoints = [.. endpoints.OrderBy(e => e.Host, StringComparer.Ordinal).ThenBy(e => e.Port)];
        // An endpoint's permutation comes from its address alone (as its ring points do), so every
        // waypoint builds the same table, and the other endpoints' permutations do not change when one goes.
        var offset = new long[endpoints.Count];
        var skip = new long[endpoints.Count];
        var next = new long[endpoints.Count];
        var weight = new long[endpoints.Count];
        for (var i = 0; i < endpoints.Count; i++)
        {
            var name = $"{endpoints[i].Host}:{endpoints[i].Port}";
            offset[i] = (long)(StableHash.Of(name) % (ulong)size);
            skip[i] = (long)(StableHash.Of(name + "#skip") % (ulong)(size - 1)) + 1;
            weight[i] = Math.Max(1u, endpoints[i].Weight);
        }
        // Weighted turns: in round r an endpoint claims a slot only while r × its weight keeps up with
        // the heaviest endpoint's pace (credit), so shares follow the weights; equal weights take
        // every turn, which is the paper's unweighted algorithm.
        var heaviest = weight.Max();
        var credit = new long[endpoints.Count];
        var filled = 0;
        for (long round = 1; ; round++)
        {
            for (var i = 0; i < endpoints.Count; i++)
            {
                if (round * weight[i] < credit[i])
                    continue;
                credit[i] += heaviest;
                long slot;
                do
                {
                    slot = (offset[i] + skip[i] * next[i]) % size;
                    next[i]++;
                }
                while (_slots[slot] is not null);
                _slots[slot] = endpoints[i];
                if (++filled == size)
                    return;
            }
        }
    }

    /// <summary>Slots in the table (0 when there are no endpoints).</summary>
    public int Size => _slots.Length;

    public UpstreamEndpoint? Find(ulong key) => _slots.Length == 0 ? null : _slots[(int)(key % (ulong)_slots.Length)];

    /// <summary>Slots each endpoint owns, for tests and diagnostics.</summary>
    public Dictionary<UpstreamEndpoint, int> Shares()
    {
        var shares = new Dictionary<UpstreamEndpoint, int>();
        foreach (var owner in _slots)
            shares[owner] = shares.GetValueOrDefault(owner) + 1;
        return shares;
    }

    public static bool IsPrime(int n)
    {
        if (n < 2)
            return false;
        for (var d = 2; (long)d * d <= n; d++)
        {
            if (n % d == 0)
                return false;
        }
        return true;
    }
}
