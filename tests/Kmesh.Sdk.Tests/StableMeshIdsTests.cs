using System.Net;
using Kmesh.Sdk.Snapshot;

namespace Kmesh.Sdk.Tests;

/// <summary>Endpoint ids: one per address, family, scope and port, named as IPEndPoint writes them, kept across a restore.</summary>
public class StableMeshIdsTests
{
    private static readonly string[] Endpoints =
    [
        "10.0.0.1:9080", "10.0.0.1:9081", "10.0.0.2:9080", "[fd00::1]:9080", "[::ffff:10.0.0.1]:9080", "[fe80::1%2]:9080", "[fe80::1]:9080", "0.0.0.0:0",
    ];

    [Fact]
    public void EndpointId_OnePerEndpoint_StableAndNamedAsIPEndPointWritesThem()
    {
        var ids = new StableMeshIds();

        var first = Endpoints.Select(e => ids.EndpointId(IPEndPoint.Parse(e))).ToArray();
        var again = Endpoints.Select(e => ids.EndpointId(IPEndPoint.Parse(e))).ToArray();

        Assert.Equal(Enumerable.Range(1, Endpoints.Length).Select(i => (uint)i), first);
        Assert.Equal(first, again);
        Assert.Equal(Endpoints, ids.EndpointNames());
    }

    [Fact]
    public void Restore_GivesEveryEndpointItsSavedId_EvenPastANameThatDoesNotParse()
    {
        var ids = new StableMeshIds();
        foreach (var e in Endpoints)
            ids.EndpointId(IPEndPoint.Parse(e));
        string[] saved = ["10.9.9.9:1", "not an endpoint", .. ids.EndpointNames()];

        var restored = StableMeshIds.Restore([], [], saved);

        Assert.Equal(1u, restored.EndpointId(IPEndPoint.Parse("10.9.9.9:1")));
        Assert.Equal(Endpoints.Select((e, i) => (uint)i + 3), Endpoints.Select(e => restored.EndpointId(IPEndPoint.Parse(e))));
        Assert.Equal((uint)saved.Length + 1, restored.EndpointId(IPEndPoint.Parse("10.0.0.3:9080")));
        Assert.Equal(saved.Length + 1, restored.EndpointNames().Count);
    }
}
