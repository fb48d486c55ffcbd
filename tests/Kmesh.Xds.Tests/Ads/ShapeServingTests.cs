using Kmesh.Envoy.Api;
using Kmesh.Xds.Ads;
using Kmesh.Xds.Server;
using Kmesh.Xds.Sources;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>
/// <c>kmesh xds serve</c> over files in the shapes others write (tests/shapes): the server, real,
/// serves what each file holds to our ADS client, real, in process (no daemon), SotW and delta.
/// </summary>
public sealed class ShapeServingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-xds-shapes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string, XdsMode, string[], string[], string[]> Files() => new()
    {
        { "delta-golden.yaml", XdsMode.Delta, ["outbound|9080||reviews.default.svc.cluster.local"], ["outbound|9080||reviews.default.svc.cluster.local"], ["10.96.0.21_9080"] },
        { "delta-golden.yaml", XdsMode.Sotw, ["outbound|9080||reviews.default.svc.cluster.local"], ["outbound|9080||reviews.default.svc.cluster.local"], ["10.96.0.21_9080"] },
        { "sotw-wrapped.json", XdsMode.Sotw, ["details", "ratings"], [], [] },
        { "cilium-envoy-config.yaml", XdsMode.Delta, ["default/reviews-v1", "default/reviews-v2"], ["default/reviews-v1", "default/reviews-v2"], ["reviews-listener"] },
        { "cilium-envoy-config.yaml", XdsMode.Sotw, ["default/reviews-v1", "default/reviews-v2"], ["default/reviews-v1", "default/reviews-v2"], ["reviews-listener"] },
        { "cilium-clusterwide.yaml", XdsMode.Delta, ["postgres"], [], ["tcp-proxy-listener"] },
        // The dump's copies are not served: only the resources (the EDS cluster's assignment). The
        // listener waiting for http.80 warms until the client's resource timeout (2 s here) says it is absent.
        { "config-dump-copies.json", XdsMode.Delta, ["admin", "api", "web"], ["api"], ["10.96.0.32_80", "api_80", "web_80"] },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task ServerServesTheFile_ClientGetsEveryResource(string file, XdsMode mode, string[] clusters, string[] assignments, string[] listeners)
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "shapes", file), Path.Combine(_dir, file));
        await using var server = await FileAdsServer.StartAsync(_dir, 0);
        var sink = new RecordingSink();
        using var stop = new CancellationTokenSource();
        var source = new AdsConfigSource(new XdsClientOptions { Address = $"127.0.0.1:{server.Port}", Mode = mode, ResourceTimeout = TimeSpan.FromSeconds(2) }, NullLogger.Instance);
        var run = source.RunAsync(sink, stop.Token);

        ConfigUpdate update;
        do
            update = await sink.NextAsync();
        while (!update.Warm);

        Assert.Equal(clusters, update.Resources.Clusters.Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.Equal(assignments, update.Resources.Endpoints.Select(e => e.ClusterName).Order(StringComparer.Ordinal));
        Assert.Equal(listeners, update.Resources.Listeners.Select(l => l.Name).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(update.Resources.Routes, r => r.Name is "local_route" or "");
        await stop.CancelAsync();
        await run;
        Assert.Empty(server.Events.Nacks);
    }

    [Fact]
    public async Task WrapperVersion_LeadsTheServedVersion()
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "shapes", "delta-golden.yaml"), Path.Combine(_dir, "delta-golden.yaml"));
        await using var server = await FileAdsServer.StartAsync(_dir, 0);

        var cluster = server.Store.Current.Of(EnvoyTypes.Cluster)["outbound|9080||reviews.default.svc.cluster.local"];
        Assert.Matches("^v17-reviews/[0-9a-f]{12}$", cluster.Version);
        Assert.StartsWith("v17-listener/", server.Store.Current.Of(EnvoyTypes.Listener)["10.96.0.21_9080"].Version);
    }
}
