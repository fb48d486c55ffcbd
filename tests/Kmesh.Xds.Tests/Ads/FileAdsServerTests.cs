using Kmesh.Envoy.Api;
using Kmesh.Xds.Ads;
using Kmesh.Xds.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>The file-backed server and the client, both real, in process: they converge whichever variant they speak.</summary>
public sealed class FileAdsServerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-xds-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Mesh(params string[] clusters) =>
        "resources:\n" + string.Concat(clusters.Select(c => $$"""
            - "@type": {{EnvoyTypes.Cluster}}
              name: {{c}}
              type: EDS
              eds_cluster_config: { eds_config: { ads: {} } }
            - "@type": {{EnvoyTypes.ClusterLoadAssignment}}
              cluster_name: {{c}}
              endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 80 } } } } ] } ]

            """));

    private static async Task<Sources.ConfigUpdate> NextWhereAsync(RecordingSink sink, Func<Sources.ConfigUpdate, bool> done)
    {
        while (true)
        {
            var update = await sink.NextAsync();
            if (done(update))
                return update;
        }
    }

    [Theory]
    [InlineData(XdsMode.Sotw)]
    [InlineData(XdsMode.Delta)]
    public async Task ClientFollowsTheFiles_AddAndRemove(XdsMode mode)
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "a.yaml"), Mesh("a", "b"));
        await using var server = await FileAdsServer.StartAsync(_dir, 0);
        var sink = new RecordingSink();
        using var stop = new CancellationTokenSource();
        var source = new AdsConfigSource(new XdsClientOptions { Address = $"127.0.0.1:{server.Port}", Mode = mode }, NullLogger.Instance);
        var run = source.RunAsync(sink, stop.Token);

        var first = await NextWhereAsync(sink, u => u.Warm);
        Assert.Equal(2, first.Resources.Clusters.Count);
        Assert.Equal(2, first.Resources.Endpoints.Count);

        await File.WriteAllTextAsync(Path.Combine(_dir, "a.yaml"), Mesh("b", "c"));
        server.Reload();
        var moved = await NextWhereAsync(sink, u => u.Resources.Clusters.Select(c => c.Name).Order().SequenceEqual(["b", "c"]));
        Assert.Equal(["b", "c"], moved.Resources.Endpoints.Select(e => e.ClusterName).Order());

        await stop.CancelAsync();
        await run;
        Assert.Empty(server.Events.Nacks);
    }

    [Fact]
    public async Task FileThatDoesNotParse_KeepsItsLastGoodContent()
    {
        var path = Path.Combine(_dir, "a.yaml");
        await File.WriteAllTextAsync(path, Mesh("a"));
        await using var server = await FileAdsServer.StartAsync(_dir, 0);

        await File.WriteAllTextAsync(path, "resources: [ { unclosed");
        Assert.False(server.Reload());

        Assert.Equal(["a"], server.Store.Current.Of(EnvoyTypes.Cluster).Keys);
    }

    [Fact]
    public async Task NewFile_IsPickedUpByTheWatcher()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "a.yaml"), Mesh("a"));
        await using var server = await FileAdsServer.StartAsync(_dir, 0);
        var changed = server.Store.Changed;

        await File.WriteAllTextAsync(Path.Combine(_dir, "b.yaml"), Mesh("b"));
        await changed.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["a", "b"], server.Store.Current.Of(EnvoyTypes.Cluster).Keys);
    }
}
