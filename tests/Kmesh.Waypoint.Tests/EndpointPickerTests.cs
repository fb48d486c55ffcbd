using Envoy.Config.Cluster.V3;
using Kmesh.Waypoint.Upstream;

namespace Kmesh.Waypoint.Tests;

/// <summary>Endpoint weights are honoured by every policy; round robin spreads them smoothly.</summary>
public sealed class EndpointPickerTests
{
    [Theory]
    [InlineData(Cluster.Types.LbPolicy.RoundRobin)]
    [InlineData(Cluster.Types.LbPolicy.Random)]
    [InlineData(Cluster.Types.LbPolicy.LeastRequest)]
    public void SharesFollowTheWeights(Cluster.Types.LbPolicy policy)
    {
        UpstreamEndpoint[] endpoints = [new("10.0.0.1", 80, 1), new("10.0.0.2", 80, 3), new("10.0.0.3", 80, 6)];
        var picker = new EndpointPicker(endpoints, policy);

        const int picks = 100_000;
        var counts = endpoints.ToDictionary(e => e, _ => 0);
        for (var i = 0; i < picks; i++)
            counts[picker.Pick()!]++;

        // Expected 10% / 30% / 60%; 1.5 points is over 10 standard deviations for the random policies.
        Assert.InRange(counts[endpoints[0]] / (double)picks, 0.085, 0.115);
        Assert.InRange(counts[endpoints[1]] / (double)picks, 0.285, 0.315);
        Assert.InRange(counts[endpoints[2]] / (double)picks, 0.585, 0.615);
    }

    [Fact]
    public void SmoothRoundRobinNeverSendsTheHeaviestEndpointAllItsShareInARow()
    {
        UpstreamEndpoint[] endpoints = [new("10.0.0.1", 80, 1), new("10.0.0.2", 80, 1), new("10.0.0.3", 80, 5)];
        var picker = new EndpointPicker(endpoints, Cluster.Types.LbPolicy.RoundRobin);

        var sequence = Enumerable.Range(0, 7).Select(_ => picker.Pick()!.Host).ToList();

        Assert.Equal(5, sequence.Count(h => h == "10.0.0.3"));
        Assert.DoesNotContain(string.Join(",", Enumerable.Repeat("10.0.0.3", 5)), string.Join(",", sequence));
    }

    [Fact]
    public void AClusterWithoutEndpointsPicksNothing() =>
        Assert.Null(new EndpointPicker([], Cluster.Types.LbPolicy.RoundRobin).Pick());
}
