using Kmesh.Core.Hosting;
using Kmesh.Sdk.Snapshot;
using Kmesh.Xds.Sources;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Kmesh.Core.Tests.Hosting;

/// <summary>
/// The daemon's update policy on the real Generic Host wiring, with an in-memory datapath in
/// place of the kernel: an update is applied whole or refused whole (NACK) with the last good
/// config serving; a plugin that fails is isolated; the node is ready only while it serves its
/// configuration in full.
/// </summary>
public sealed class UpdatePolicyTests
{
    private static readonly DaemonOptions Options = new()
    {
        ConfigPath = "/scripted",
        CgroupPath = "/unused",
        PinFolder = "/unused",
        PluginDirectories = [],
        Admin = null,
    };

    private static async Task<(IHost Host, DaemonStatus Status)> StartAsync(InMemoryDatapath datapath, ScriptedSource source)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<IDatapathFactory>(new Factory(datapath));
        builder.Services.AddSingleton<IConfigSourceFactory>(source);
        builder.Services.AddKmeshDaemon(Options);
        var host = builder.Build();
        await host.StartAsync();
        return (host, host.Services.GetRequiredService<DaemonStatus>());
    }

    [Fact]
    public async Task FileConfig_IsAppliedBeforeTheHostHasStarted_AndTheNodeIsReady()
    {
        var datapath = new InMemoryDatapath(("p", new ClusterTranslator(), 10));
        var (host, status) = await StartAsync(datapath, new ScriptedSource(new ConfigUpdate(ScriptedSource.Clusters("a", "b"), "v1")));
        using (host)
        {
            Assert.True(status.Readiness.Ready);
            Assert.Equal(2, datapath.Contents("p").Count);
            Assert.Equal("v1", status.Current?.Version);
            await host.StopAsync();
        }
        Assert.True(datapath.Disposed);
    }

    [Fact]
    public async Task ScrutinizedUpdateWithAnError_IsRefusedWhole_AndTheLastGoodConfigServes()
    {
        var datapath = new InMemoryDatapath(("p", new ClusterTranslator(), 10));
        var source = new ScriptedSource(null);
        var (host, status) = await StartAsync(datapath, source);
        using var _ = host;

        Assert.True((await source.OfferAsync(new ConfigUpdate(ScriptedSource.Clusters("a"), "v1", new HashSet<ResourceRef> { ResourceRef.Cluster("a") }))).Accepted);
        var verdict = await source.OfferAsync(new ConfigUpdate(ScriptedSource.Clusters("a", "b", "bad-c"), "v2", new HashSet<ResourceRef> { ResourceRef.Cluster("bad-c") }));

        Assert.False(verdict.Accepted);
        var rejection = Assert.Single(verdict.Rejections);
        Assert.Equal("cluster bad-c: type: is not something this plugin can do", rejection.ToString());
        Assert.Single(datapath.Contents("p")); // b was not written either: the update is refused whole
        Assert.Equal("v1", status.Current?.Version);
        Assert.True(status.Readiness.Ready);
    }

    [Fact]
    public async Task ScrutinizedUpdateTheMapsCannotHold_IsRefused_NamingThePlugin()
    {
        var datapath = new InMemoryDatapath(("p", new ClusterTranslator(), 2));
        var source = new ScriptedSource(null);
        var (host, status) = await StartAsync(datapath, source);
        using var _ = host;

        Assert.True((await source.OfferAsync(new ConfigUpdate(ScriptedSource.Clusters("a", "b"), "v1", new HashSet<ResourceRef>()))).Accepted);
        var verdict = await source.OfferAsync(new ConfigUpdate(ScriptedSource.Clusters("a", "b", "c"), "v2", new HashSet<ResourceRef> { ResourceRef.Cluster("c") }));

        Assert.False(verdict.Accepted);
        Assert.StartsWith("plugin p:", Assert.Single(verdict.Rejections).ToString());
        Assert.Equal(2, datapath.Contents("p").Count);
        Assert.True(status.Readiness.Ready);
    }

    [Fact]
    public async Task NotReady_UntilAWarmUpdateIsInForce()
    {
        var datapath = new InMemoryDatapath(("p", new ClusterTranslator(), 10));
        var source = new ScriptedSource(null);
        var (host, status) = await StartAsync(datapath, source);
        using var _ = host;

        Assert.False(status.Readiness.Ready);
        Assert.Contains("no configuration applied yet", status.Readiness.Reasons);
        Assert.True((await source.OfferAsync(new ConfigUpdate(ScriptedSource.Clusters("a"), "v1", new HashSet<ResourceRef>(), Warm: false))).Accepted);
        Assert.False(status.Readiness.Ready);
        Assert.Contains(status.Readiness.Reasons, r => r.Contains("still arriving", StringComparison.Ordinal));
        Assert.True((await source.OfferAsync(new ConfigUpdate(ScriptedSource.Clusters("a"), "v2", new HashSet<ResourceRef>(), Warm: true))).Accepted);
        Assert.True(status.Readiness.Ready);
    }

    [Fact]
    public async Task FromNothing_UpdatesOfTheFirstFetchBeforeItIsWarm_AreJudgedButNotWritten_TheWarmOneIsWrittenOnce()
    {
        var datapath = new InMemoryDatapath(("p", new ClusterTranslator(), 10));
        var source = new ScriptedSource(null);
        var (host, status) = await StartAsync(datapath, source);
        using var _ = host;

        Assert.True((await source.OfferAsync(new ConfigUpdate(ScriptedSource.Clusters("a"), "v1", new HashSet<ResourceRef> { ResourceRef.Cluster("a") }, Warm: false))).Accepted);
        Assert.Empty(datapath.Journal);
        Assert.Contains(status.Readiness.Reasons, r => r.Contains("still arriving", StringComparison.Ordinal));
        // Judged all the same: an error in what it brings is refused (NACKed) while warming too.
        Assert.False((await source.OfferAsync(new ConfigUpdate(ScriptedSource.Clusters("a", "bad-c"), "v2", new HashSet<ResourceRef> { ResourceRef.Cluster("bad-c") }, Warm: false))).Accepted);
        Assert.True((await source.OfferAsync(new ConfigUpdate(ScriptedSource.Clusters("a", "b"), "v3", new HashSet<ResourceRef> { ResourceRef.Cluster("b") }, Warm: false))).Accepted);
        Assert.Empty(datapath.Journal);

        Assert.True((await source.OfferAsync(new ConfigUpdate(ScriptedSource.Clusters("a", "b"), "v4", new HashSet<ResourceRef>(), Warm: true))).Accepted);
        Assert.Equal(["Upsert p.clusters x2"], datapath.Journal);
        Assert.True(status.Readiness.Ready);
        Assert.Equal("v4", status.Current?.Version);
    }

    [Fact]
    public async Task TranslatorThatThrows_IsIsolated_TheOthersApply_AndTheNodeIsNotReadyUntilItHoldsTheConfigAgain()
    {
        var datapath = new InMemoryDatapath(("p", new ClusterTranslator(), 10), ("q", new ClusterTranslator(), 10));
        var source = new ScriptedSource(null);
        var (host, status) = await StartAsync(datapath, source);
        using var _ = host;
        await source.OfferAsync(new ConfigUpdate(ScriptedSource.Clusters("a"), "v1", new HashSet<ResourceRef>()));

        // A plugin bug is not bad config: accepted (no NACK), the plugin keeps its last state.
        var verdict = await source.OfferAsync(new ConfigUpdate(ScriptedSource.Clusters("a", "boom"), "v2", new HashSet<ResourceRef> { ResourceRef.Cluster("boom") }));

        Assert.True(verdict.Accepted);
        Assert.False(status.Readiness.Ready);
        Assert.Contains(status.Readiness.Reasons, r => r.StartsWith("plugin p does not hold the configuration in force: translator threw InvalidOperationException", StringComparison.Ordinal));
        Assert.Equal(2, status.Readiness.Reasons.Count); // p and q, both fixtures throw
        await source.OfferAsync(new ConfigUpdate(ScriptedSource.Clusters("a", "b"), "v3", new HashSet<ResourceRef>()));
        Assert.True(status.Readiness.Ready);
        Assert.Equal(2, datapath.Contents("p").Count);
    }

    [Fact]
    public async Task FileUpdateOverAMapsCapacity_IsWrittenForThePluginsThatHoldIt_AndTheNodeIsNotReady()
    {
        var datapath = new InMemoryDatapath(("small", new ClusterTranslator(), 1), ("large", new ClusterTranslator(), 10));
        var (host, status) = await StartAsync(datapath, new ScriptedSource(new ConfigUpdate(ScriptedSource.Clusters("a", "b"), "v1")));
        using var _ = host;

        Assert.False(status.Readiness.Ready);
        var reason = Assert.Single(status.Readiness.Reasons);
        Assert.StartsWith("plugin small does not hold the configuration in force", reason);
        Assert.Empty(datapath.Contents("small"));
        Assert.Equal(2, datapath.Contents("large").Count);
    }

    [Fact]
    public async Task LivenessPing_IsAnsweredByTheLoop()
    {
        var datapath = new InMemoryDatapath(("p", new ClusterTranslator(), 10));
        var (host, _) = await StartAsync(datapath, new ScriptedSource(new ConfigUpdate(ScriptedSource.Clusters("a"), "v1")));
        using var _ = host;

        Assert.True(await host.Services.GetRequiredService<UpdateLoop>().PingAsync(TimeSpan.FromSeconds(5), CancellationToken.None));
        await host.StopAsync();
        Assert.False(await host.Services.GetRequiredService<UpdateLoop>().PingAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None));
    }

    private sealed class Factory(InMemoryDatapath datapath) : IDatapathFactory
    {
        public Kmesh.Core.Datapath.IDatapath Start() => datapath;
    }
}
