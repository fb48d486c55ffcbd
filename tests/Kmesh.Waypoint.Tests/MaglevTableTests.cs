using Envoy.Config.Cluster.V3;
using Kmesh.Waypoint.Upstream;

namespace Kmesh.Waypoint.Tests;

/// <summary>
/// Maglev clusters use Maglev's lookup table (Envoy's default size 65 537): slots shared by weight,
/// a key's endpoint is the owner of its slot, and removing an endpoint moves few of the others' keys.
/// </summary>
public sealed class MaglevTableTests
{
    private static UpstreamEndpoint[] Endpoints(int n, uint weight = 1) =>
        [.. Enumerable.Range(1, n).Select(i => new UpstreamEndpoint($"10.0.0.{i}", 8080, weight))];

    [Fact]
    public void EqualWeightsShareTheDefaultTableWithinOneSlot()
    {
        var table = new MaglevTable(Endpoints(7));

        Assert.Equal(65537, table.Size);
        var shares = table.Shares();
        Assert.Equal(7, shares.Count);
        // The paper's algorithm takes turns, one slot each: no endpoint gets two more slots than another.
        Assert.InRange(shares.Values.Max() - shares.Values.Min(), 0, 1);
        Assert.Equal(65537, shares.Values.Sum());
    }

    [Fact]
    public void SharesFollowTheWeights()
    {
        UpstreamEndpoint[] endpoints = [new("10.0.0.1", 80, 1), new("10.0.0.2", 80, 3), new("10.0.0.3", 80, 6)];
        var shares = new MaglevTable(endpoints).Shares();

        Assert.InRange(shares[endpoints[0]] / 65537.0, 0.095, 0.105);
        Assert.InRange(shares[endpoints[1]] / 65537.0, 0.295, 0.305);
        Assert.InRange(shares[endpoints[2]] / 65537.0, 0.595, 0.605);
    }

    [Fact]
    public void AKeyGoesToTheOwnerOfItsSlotAndTheTableIsAFunctionOfTheSet()
    {
        var endpoints = Endpoints(5);
        var table = new MaglevTable(endpoints, 101);
        var reversed = new MaglevTable([.. endpoints.Reverse()], 101);

        for (ulong key = 0; key < 1000; key++)
        {
            Assert.Same(table.Find(key % 101), table.Find(key));
            Assert.Same(table.Find(key), reversed.Find(key));
        }
    }

    [Fact]
    public void RemovingAnEndpointMovesFewKeysOfTheOthers()
    {
        var endpoints = Endpoints(10);
        var before = new MaglevTable(endpoints);
        var after = new MaglevTable(endpoints[1..]);

        var kept = 0;
        var others = 0;
        var random = new Random(15);
        for (var i = 0; i < 100_000; i++)
        {
            var key = (ulong)random.NextInt64();
            if (before.Find(key) == endpoints[0])
            {
                Assert.NotSame(endpoints[0], after.Find(key));
                continue;
            }
            others++;
            if (before.Find(key) == after.Find(key))
                kept++;
        }
        // A modulo table would keep about a tenth; Maglev keeps nearly all (a few percent move for balance).
        Assert.True(kept > 0.9 * others, $"{kept} of {others} keys of the remaining endpoints kept their endpoint");
    }

    [Fact]
    public void ASizeThatIsNotAPrimeIsRefused() =>
        Assert.Throws<ArgumentException>(() => new MaglevTable(Endpoints(3), 65536));

    [Fact]
    public void AMaglevClusterPicksByTheTableAndRingHashByTheRing()
    {
        var endpoints = Endpoints(4);
        var maglev = new EndpointPicker(endpoints, Cluster.Types.LbPolicy.Maglev);
        var table = new MaglevTable(endpoints);
        var ring = new EndpointPicker(endpoints, Cluster.Types.LbPolicy.RingHash);

        var differ = 0;
        for (ulong key = 1; key < 2000; key += 7)
        {
            var k = key * 0x9E3779B97F4A7C15UL;
            Assert.Same(table.Find(k), maglev.Pick(k));
            if (ring.Pick(k) != maglev.Pick(k))
                differ++;
        }
        // Two different structures: many keys land elsewhere (so the table really is in use).
        Assert.True(differ > 50, $"{differ} keys differ");
    }
}
