using Envoy.Config.Endpoint.V3;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Grpc.Net.Client;
using Kmesh.Envoy.Api;
using Kmesh.Xds.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>
/// <c>kmesh xds serve</c> after a change: it parses only the files whose content changed, and a
/// delta client is sent only the resources that changed (issue 16).
/// </summary>
public sealed class IncrementalServeTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-xds-inc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Mesh(IEnumerable<(string Cluster, int Port)> clusters) =>
        "resources:\n" + string.Concat(clusters.Select(c => $$"""
            - "@type": {{EnvoyTypes.Cluster}}
              name: {{c.Cluster}}
              type: EDS
              eds_cluster_config: { eds_config: { ads: {} } }
            - "@type": {{EnvoyTypes.ClusterLoadAssignment}}
              cluster_name: {{c.Cluster}}
              endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: {{c.Port}} } } } } ] } ]

            """));

    /// <summary>Five files of two clusters each, written long enough ago that their size and time are trusted.</summary>
    private void WriteFiles()
    {
        for (var f = 0; f < 5; f++)
            Write(f, [($"c{f}a", 80), ($"c{f}b", 80)], old: true);
    }

    private void Write(int file, (string, int)[] clusters, bool old = false)
    {
        // Written aside and renamed into place, as a control plane's writer would: the server's
        // watcher may read the directory at any moment and must not see half a file.
        var path = Path.Combine(_dir, $"f{file}.yaml");
        var temp = path + ".tmp";
        File.WriteAllText(temp, Mesh(clusters));
        if (old)
            File.SetLastWriteTimeUtc(temp, DateTime.UtcNow - TimeSpan.FromMinutes(5));
        File.Move(temp, path, overwrite: true);
    }

    [Fact]
    public void OneChangedFile_IsTheOnlyOneParsed_AndOnlyItsChangedResourceIsReported()
    {
        WriteFiles();
        var directory = new ResourceDirectory(_dir, NullLogger.Instance);
        var first = directory.Read();
        Assert.Equal((5, 5, 20), (first.FilesParsed, first.FilesTotal, first.ResourcesParsed));
        Assert.Equal(10, first.Resources[EnvoyTypes.ClusterLoadAssignment].Count);

        var again = directory.Read();
        Assert.Equal(0, again.FilesParsed);
        Assert.Empty(again.Changes);

        Write(3, [("c3a", 81), ("c3b", 80)]);
        var changed = directory.Read();

        Assert.Equal((1, 1), (changed.FilesParsed, changed.ResourcesParsed));
        Assert.Equal([EnvoyTypes.ClusterLoadAssignment], changed.Changes.Keys);
        Assert.Equal(["c3a"], changed.Changes[EnvoyTypes.ClusterLoadAssignment]);
        var assignment = changed.Resources[EnvoyTypes.ClusterLoadAssignment]["c3a"].Body.Unpack<ClusterLoadAssignment>();
        Assert.Equal(81u, assignment.Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.PortValue);
        Assert.Equal(6, directory.FilesParsedTotal);
    }

    [Fact]
    public async Task FilesReadJustAfterTheyWereWritten_AreSettledByOneMoreRead_ThenAChangeReadsOnlyItsFile()
    {
        for (var f = 0; f < 5; f++)
            Write(f, [($"c{f}a", 80), ($"c{f}b", 80)]); // just now
        var directory = new ResourceDirectory(_dir, NullLogger.Instance);
        directory.Read();
        // Read at once after the write: a same-size edit within the time's granularity would not show
        // in it, so until one more read the files are read again at every change, whatever changed.
        Assert.False(directory.Unsettled(DateTime.UtcNow)); // too soon to settle them yet
        Assert.True(directory.Unsettled(DateTime.UtcNow + TimeSpan.FromSeconds(3)));

        await Task.Delay(TimeSpan.FromSeconds(2.2));
        Assert.True(directory.Unsettled(DateTime.UtcNow));
        var settling = directory.Read(); // what the server's settle timer does
        Assert.Equal((5, 0), (settling.FilesRead, settling.FilesParsed));
        Assert.False(directory.Unsettled(DateTime.UtcNow + TimeSpan.FromDays(1)));

        Write(3, [("c3a", 81), ("c3b", 80)], old: true);
        var changed = directory.Read();
        Assert.Equal((1, 1), (changed.FilesRead, changed.FilesParsed));
    }

    [Fact]
    public void ResourceMovedBetweenFiles_ChangesNothing_AndADuplicateTakesOverWhenTheFirstGoes()
    {
        WriteFiles();
        var directory = new ResourceDirectory(_dir, NullLogger.Instance);
        directory.Read();

        // c1b moves from f1 to f2, unchanged: nothing to push.
        Write(1, [("c1a", 80)]);
        Write(2, [("c2a", 80), ("c2b", 80), ("c1b", 80)]);
        var moved = directory.Read();
        Assert.Equal(2, moved.FilesParsed);
        Assert.Empty(moved.Changes);

        // f4 defines c0a too, differently: f0's is served until f0 is removed.
        Write(4, [("c4a", 80), ("c4b", 80), ("c0a", 99)]);
        Assert.Empty(directory.Read().Changes);
        File.Delete(Path.Combine(_dir, "f0.yaml"));
        var gone = directory.Read();
        Assert.Equal(["c0a", "c0b"], gone.Changes[EnvoyTypes.ClusterLoadAssignment].Order(StringComparer.Ordinal));
        Assert.Equal(["c0b"], gone.Changes[EnvoyTypes.Cluster]);
        Assert.False(gone.Resources[EnvoyTypes.Cluster].ContainsKey("c0b"));
        var served = gone.Resources[EnvoyTypes.ClusterLoadAssignment]["c0a"].Body.Unpack<ClusterLoadAssignment>();
        Assert.Equal(99u, served.Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.PortValue);
    }

    [Fact]
    public async Task DeltaClient_GetsOnlyTheChangedResource_OverARealStream()
    {
        WriteFiles();
        await using var server = await FileAdsServer.StartAsync(_dir, 0);
        Assert.Equal(5, server.FilesParsed);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.Port}");
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel);
        using var timeout = new CancellationTokenSource(Timeout);
        using var stream = client.DeltaAggregatedResources(cancellationToken: timeout.Token);
        var node = new global::Envoy.Config.Core.V3.Node { Id = "test~1.2.3.4~n.ns~ns.svc.cluster.local" };

        await stream.RequestStream.WriteAsync(new DeltaDiscoveryRequest { Node = node, TypeUrl = EnvoyTypes.Cluster });
        var clusters = await NextAsync(stream, timeout.Token);
        Assert.Equal(EnvoyTypes.Cluster, clusters.TypeUrl);
        Assert.Equal(10, clusters.Resources.Count);
        await stream.RequestStream.WriteAsync(new DeltaDiscoveryRequest { TypeUrl = EnvoyTypes.Cluster, ResponseNonce = clusters.Nonce });
        var eds = new DeltaDiscoveryRequest { TypeUrl = EnvoyTypes.ClusterLoadAssignment };
        eds.ResourceNamesSubscribe.AddRange(clusters.Resources.Select(r => r.Name));
        await stream.RequestStream.WriteAsync(eds);
        var assignments = await NextAsync(stream, timeout.Token);
        Assert.Equal(EnvoyTypes.ClusterLoadAssignment, assignments.TypeUrl);
        Assert.Equal(10, assignments.Resources.Count);
        await stream.RequestStream.WriteAsync(new DeltaDiscoveryRequest { TypeUrl = EnvoyTypes.ClusterLoadAssignment, ResponseNonce = assignments.Nonce });

        // One endpoint moves: one file parsed, one ClusterLoadAssignment sent, no cluster.
        await ChangeAsync(server, () => Write(3, [("c3a", 81), ("c3b", 80)]));
        Assert.Equal(6, server.FilesParsed);
        var change = await NextAsync(stream, timeout.Token);
        Assert.Equal(EnvoyTypes.ClusterLoadAssignment, change.TypeUrl);
        Assert.Equal(["c3a"], change.Resources.Select(r => r.Name));
        Assert.Empty(change.RemovedResources);
        Assert.Equal(81u, change.Resources[0].Resource_.Unpack<ClusterLoadAssignment>().Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.PortValue);
        await stream.RequestStream.WriteAsync(new DeltaDiscoveryRequest { TypeUrl = EnvoyTypes.ClusterLoadAssignment, ResponseNonce = change.Nonce });

        // A cluster leaves: its removal is the next thing sent (the change before pushed no cluster).
        await ChangeAsync(server, () => Write(4, [("c4a", 80)]));
        Assert.Equal(7, server.FilesParsed);
        var removal = await NextAsync(stream, timeout.Token);
        Assert.Equal(EnvoyTypes.Cluster, removal.TypeUrl);
        Assert.Empty(removal.Resources);
        Assert.Equal(["c4b"], removal.RemovedResources);
        var endpointRemoval = await NextAsync(stream, timeout.Token);
        Assert.Equal(EnvoyTypes.ClusterLoadAssignment, endpointRemoval.TypeUrl);
        Assert.Equal(["c4b"], endpointRemoval.RemovedResources);

        await stream.RequestStream.CompleteAsync();
        Assert.Empty(server.Events.Nacks);
    }

    [Fact]
    public async Task SotwClient_IsPushedOnlyTheTypeThatChanged()
    {
        WriteFiles();
        await using var server = await FileAdsServer.StartAsync(_dir, 0);
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.Port}");
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel);
        using var timeout = new CancellationTokenSource(Timeout);
        using var stream = client.StreamAggregatedResources(cancellationToken: timeout.Token);

        await stream.RequestStream.WriteAsync(new DiscoveryRequest { TypeUrl = EnvoyTypes.Cluster });
        var clusters = await NextAsync(stream, timeout.Token);
        Assert.Equal(10, clusters.Resources.Count);
        await stream.RequestStream.WriteAsync(new DiscoveryRequest { TypeUrl = EnvoyTypes.Cluster, VersionInfo = clusters.VersionInfo, ResponseNonce = clusters.Nonce });
        var eds = new DiscoveryRequest { TypeUrl = EnvoyTypes.ClusterLoadAssignment };
        eds.ResourceNames.AddRange(["c0a", "c3a"]);
        await stream.RequestStream.WriteAsync(eds);
        var assignments = await NextAsync(stream, timeout.Token);
        Assert.Equal(2, assignments.Resources.Count);
        await stream.RequestStream.WriteAsync(new DiscoveryRequest { TypeUrl = EnvoyTypes.ClusterLoadAssignment, VersionInfo = assignments.VersionInfo, ResponseNonce = assignments.Nonce, ResourceNames = { "c0a", "c3a" } });

        // An endpoint of a cluster not subscribed to changes: nothing is pushed. Then one that is: only EDS.
        await ChangeAsync(server, () => Write(1, [("c1a", 81), ("c1b", 80)]));
        await ChangeAsync(server, () => Write(3, [("c3a", 81), ("c3b", 80)]));
        var change = await NextAsync(stream, timeout.Token);
        Assert.Equal(EnvoyTypes.ClusterLoadAssignment, change.TypeUrl);
        Assert.Equal(["c0a", "c3a"], change.Resources.Select(r => r.Unpack<ClusterLoadAssignment>().ClusterName));
        Assert.Equal("3", change.VersionInfo);
        await stream.RequestStream.CompleteAsync();
    }

    /// <summary>
    /// Makes a change and reads it now, or waits for the watcher that got there first (each change
    /// reads the file once either way). The serial is taken before the change: a rename is read by
    /// the watcher at once, which may publish before this thread looks.
    /// </summary>
    private static async Task ChangeAsync(FileAdsServer server, Action change)
    {
        var before = server.Store.Current.Serial;
        change();
        server.Reload();
        var deadline = DateTime.UtcNow + Timeout;
        while (server.Store.Current.Serial == before && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.Equal(before + 1, server.Store.Current.Serial);
    }

    private static async Task<T> NextAsync<T>(AsyncDuplexStreamingCall<DeltaDiscoveryRequest, T> stream, CancellationToken cancellationToken)
    {
        Assert.True(await stream.ResponseStream.MoveNext(cancellationToken));
        return stream.ResponseStream.Current;
    }

    private static async Task<T> NextAsync<T>(AsyncDuplexStreamingCall<DiscoveryRequest, T> stream, CancellationToken cancellationToken)
    {
        Assert.True(await stream.ResponseStream.MoveNext(cancellationToken));
        return stream.ResponseStream.Current;
    }
}
