namespace Kmesh.Plugins.LoadBalance;

/// <summary>
/// Envoy's RING_HASH, compiled to a lookup table the kernel reads with one lookup.
/// <para>
/// The ring: each endpoint puts points on a 64-bit ring at the hash of "address_i"; a client
/// belongs to the first point at or after its hash. The kernel cannot search a ring cheaply,
/// so the ring is sampled at a fixed number of evenly spaced positions (<c>minimum_ring_size</c>,
/// within bounds): entry k holds the owner of position k·2⁶⁴/size, and a client hash h reads
/// entry h mod size. The sample positions depend only on the size, never on the endpoints.
/// </para>
/// <para>
/// Where we differ from Envoy, on purpose: Envoy fixes the ring's size and shares it out, so
/// adding an endpoint takes points away from every other one and moves clients between old
/// endpoints too (a quarter of them going from three endpoints to four). Here an endpoint's
/// point count depends only on its own weight relative to the heaviest (<see cref="PointsPerHeaviest"/>
/// for the heaviest, at least one), as ketama does: adding an endpoint only adds its points, so
/// only the clients that now land on it move, about 1/N. <c>maximum_ring_size</c> still caps
/// the ring (points are then scaled down).
/// </para>
/// </summary>
internal static class RingHashTable
{
    /// <summary>Envoy's defaults.</summary>
    public const ulong DefaultMinimumRingSize = 1024, DefaultMaximumRingSize = 8 * 1024 * 1024;

    /// <summary>Ring points are capped here (Envoy caps at 8M; the translation stays quick).</summary>
    public const ulong MaxRingPoints = 1 << 20;

    /// <summary>Points of the heaviest endpoint: its share of the ring varies by about 1/√256 ≈ 6%.</summary>
    public const int PointsPerHeaviest = 256;

    /// <summary>The sampled table: endpoint index per entry.</summary>
    /// <param name="endpointKeys">Stable names of the endpoints (their addresses), hashed for the points.</param>
    /// <param name="weights">Their weights, all positive.</param>
    /// <param name="maximumRingSize">Envoy's maximum_ring_size: at most this many points.</param>
    /// <param name="tableSize">Entries to sample (from minimum_ring_size); fixed per cluster so that entries keep their meaning.</param>
    public static int[] Build(IReadOnlyList<string> endpointKeys, IReadOnlyList<uint> weights, ulong maximumRingSize, int tableSize)
    {
        var ring = Ring(endpointKeys, weights, maximumRingSize);
        var table = new int[tableSize];
        var step = ulong.MaxValue / (ulong)tableSize + 1;
        var point = 0;
        for (var k = 0; k < tableSize; k++)
        {
            var position = (ulong)k * step;
            while (point < ring.Length && ring[point].Hash < position)
                point++;
            table[k] = ring[point == ring.Length ? 0 : point].Endpoint;
        }
        return table;
    }

    private static (ulong Hash, int Endpoint)[] Ring(IReadOnlyList<string> keys, IReadOnlyList<uint> weights, ulong maximum)
    {
        double heaviest = weights.Max(w => (double)w);
        var counts = weights.Select(w => Math.Max(1L, (long)Math.Round(PointsPerHeaviest * w / heaviest))).ToArray();
        var total = counts.Sum();
        var cap = (long)Math.Min(maximum, MaxRingPoints);
        if (total > cap)
        {
            // Too many endpoints for the ring: scale everyone down alike.
            for (var i = 0; i < counts.Length; i++)
                counts[i] = Math.Max(1, counts[i] * cap / total);
        }
        var points = new List<(ulong Hash, int Endpoint)>();
        for (var i = 0; i < keys.Count; i++)
        {
            for (long j = 0; j < counts[i]; j++)
                points.Add((StableHash.Of($"{keys[i]}_{j}"), i));
        }
        // Ties (never in practice) go to the lower index, so the ring is deterministic.
        return points.OrderBy(p => p.Hash).ThenBy(p => p.Endpoint).ToArray();
    }
}
