using Envoy.Config.Cluster.V3;
using Kmesh.Waypoint.Upstream;

namespace Kmesh.Waypoint.Tests;

/// <summary>
/// Ring hash and Maglev clusters follow the route's <c>hash_policy</c>: the same header, cookie
/// or source IP reaches the same endpoint; different keys spread; a request without the key is
/// still served.
/// </summary>
public sealed class HashPolicyTests
{
    [Theory]
    [InlineData(Cluster.Types.LbPolicy.RingHash)]
    [InlineData(Cluster.Types.LbPolicy.Maglev)]
    public void SameKey_SameEndpoint_AndKeysSpreadByWeight(Cluster.Types.LbPolicy policy)
    {
        UpstreamEndpoint[] endpoints = [new("10.0.0.1", 80, 1), new("10.0.0.2", 80, 1), new("10.0.0.3", 80, 2)];
        var picker = new EndpointPicker(endpoints, policy);

        for (ulong key = 0; key < 100; key++)
            Assert.Same(picker.Pick(Routing.StableHash.Mix(key)), picker.Pick(Routing.StableHash.Mix(key)));
        var counts = endpoints.ToDictionary(e => e, _ => 0);
        for (ulong key = 0; key < 20_000; key++)
            counts[picker.Pick(Routing.StableHash.Mix(key))!]++;
        // 25% / 25% / 50% of the keys, within what 256 points per unit of weight give.
        Assert.InRange(counts[endpoints[0]] / 20_000.0, 0.18, 0.32);
        Assert.InRange(counts[endpoints[2]] / 20_000.0, 0.42, 0.58);
    }

    [Fact]
    public void RemovingAnEndpoint_MovesOnlyItsKeys()
    {
        UpstreamEndpoint[] endpoints = [new("10.0.0.1", 80, 1), new("10.0.0.2", 80, 1), new("10.0.0.3", 80, 1)];
        var before = new EndpointPicker(endpoints, Cluster.Types.LbPolicy.RingHash);
        var after = new EndpointPicker([endpoints[0], endpoints[1]], Cluster.Types.LbPolicy.RingHash);

        for (ulong key = 0; key < 2_000; key++)
        {
            var hash = Routing.StableHash.Mix(key);
            if (before.Pick(hash) != endpoints[2])
                Assert.Equal(before.Pick(hash)!.Host, after.Pick(hash)!.Host);
        }
    }

    [Theory]
    [InlineData("""{"header": {"header_name": "x-user"}}""", "x-user", "alice", "bob")]
    [InlineData("""{"cookie": {"name": "session"}}""", "cookie", "session=alice", "session=bob")]
    public async Task ThroughTheWaypoint_TheSameKeyAlwaysReachesTheSameBackend(string hashPolicy, string header, string key, string otherKey)
    {
        await using var a = await Backend.StartAsync("a");
        await using var b = await Backend.StartAsync("b");
        await using var c = await Backend.StartAsync("c");
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("users", ["users"], """{"match": {"prefix": "/"}, "route": {"cluster": "users", "hash_policy": [HASH]}}""".Replace("HASH", hashPolicy)),
            MeshJson.Cluster("users", [(a.Port, 1), (b.Port, 1), (c.Port, 1)], "RING_HASH")));
        using var client = waypoint.Client("users");

        async Task<string> AnswerFor(string value)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/profile") { Headers = { { header, value } } };
            using var response = await client.SendAsync(request);
            return await response.Content.ReadAsStringAsync();
        }

        var first = await AnswerFor(key);
        for (var i = 0; i < 20; i++)
            Assert.Equal(first, await AnswerFor(key));
        // Keys spread: among many keys, more than one backend serves.
        var served = new HashSet<string>();
        for (var i = 0; i < 30; i++)
            served.Add(await AnswerFor($"{otherKey}{i}"));
        Assert.True(served.Count > 1, "every key went to one backend");
        // Without the key the request is still served (at random).
        Assert.Contains(await client.GetStringAsync("/profile"), new[] { "a", "b", "c" });
    }

    [Fact]
    public async Task SourceIpPolicy_PinsAClientToOneBackend()
    {
        await using var a = await Backend.StartAsync("a");
        await using var b = await Backend.StartAsync("b");
        await using var c = await Backend.StartAsync("c");
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("users", ["users"], """{"match": {"prefix": "/"}, "route": {"cluster": "users", "hash_policy": [{"connection_properties": {"source_ip": true}}]}}"""),
            MeshJson.Cluster("users", [(a.Port, 1), (b.Port, 1), (c.Port, 1)], "MAGLEV")));
        using var client = waypoint.Client("users");

        var answers = new HashSet<string>();
        for (var i = 0; i < 20; i++)
            answers.Add(await client.GetStringAsync("/profile"));

        Assert.Single(answers);
    }
}
