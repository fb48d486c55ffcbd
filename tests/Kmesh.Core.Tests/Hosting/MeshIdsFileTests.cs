using System.Net;
using Kmesh.Core.Hosting;
using Kmesh.Sdk.Snapshot;

namespace Kmesh.Core.Tests.Hosting;

/// <summary>The mesh ids a successor restores after adopting a pin folder (issue 13).</summary>
public sealed class MeshIdsFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-ids-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SavedIds_AreRestoredWhateverOrderTheNextConfigAsksIn_AndNewNamesGetNewIds()
    {
        var ids = new StableMeshIds();
        var reviews = ids.ServiceId("reviews");
        var ratings = ids.ServiceId("ratings");
        var cluster = ids.ClusterId("reviews-v1");
        var endpoint = ids.EndpointId(IPEndPoint.Parse("10.0.0.1:9080"));
        var path = Path.Combine(_dir, "ids.json");
        MeshIdsFile.Save(path, ids);

        var restored = MeshIdsFile.Load(path)!;

        Assert.Equal(ratings, restored.ServiceId("ratings")); // asked first now: still its old id
        Assert.Equal(reviews, restored.ServiceId("reviews"));
        Assert.Equal(cluster, restored.ClusterId("reviews-v1"));
        Assert.Equal(endpoint, restored.EndpointId(IPEndPoint.Parse("10.0.0.1:9080")));
        Assert.Equal(3u, restored.ServiceId("details"));
        Assert.Equal("reviews", restored.ServiceName(reviews));
    }

    [Fact]
    public void NoSavedIds_IsNull_AndAnUnreadableFileIsAnIOExceptionNamingIt()
    {
        var path = Path.Combine(_dir, "ids.json");
        Assert.Null(MeshIdsFile.Load(path));
        File.WriteAllText(path, "{ not json");
        var e = Assert.Throws<IOException>(() => MeshIdsFile.Load(path));
        Assert.Contains(path, e.Message);
    }
}
