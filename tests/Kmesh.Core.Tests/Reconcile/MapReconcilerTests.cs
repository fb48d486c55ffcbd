using Kmesh.Core.Reconcile;
using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Tests.Reconcile;

public class MapReconcilerTests
{
    private readonly List<string> _journal = new();
    private readonly Dictionary<(string, string), RecordingKernelMap> _maps = new();

    private RecordingKernelMap Kernel(string plugin, string map, int capacity = 64, int keySize = 4, int valueSize = 4)
    {
        var created = new RecordingKernelMap(plugin, map, keySize, valueSize, capacity, _journal);
        _maps[(plugin, map)] = created;
        return created;
    }

    private IKernelMap? Lookup(string plugin, string map) => _maps.GetValueOrDefault((plugin, map));

    private static PluginDesiredMaps Desired(string plugin, Action<TranslationOutput> fill)
    {
        var output = new TranslationOutput();
        fill(output);
        return new PluginDesiredMaps(plugin, output.Maps);
    }

    [Fact]
    public void Apply_NewState_WritesEndpointsBeforeRoutesThatPointAtThem()
    {
        Kernel("routing", "routes");
        Kernel("lb", "schedule");
        Kernel("lb", "clusters");
        var reconciler = new MapReconciler();

        var result = reconciler.Apply(
        [
            Desired("routing", o => o.Map<uint, uint>("routes").Set(1, 7)),
            Desired("lb", o => { o.Map<uint, uint>("schedule").Set(70, 1); o.Map<uint, uint>("clusters").Set(7, 1); }),
        ], Lookup);

        Assert.True(result.Complete);
        Assert.Equal(3, result.Upserts);
        Assert.Equal(["Upsert lb.schedule x1", "Upsert lb.clusters x1", "Upsert routing.routes x1"], _journal);
    }

    [Fact]
    public void Apply_RemovedService_RemovesRoutesBeforeEndpoints()
    {
        Kernel("routing", "routes");
        Kernel("lb", "schedule");
        Kernel("lb", "clusters");
        var reconciler = new MapReconciler();
        reconciler.Apply(
        [
            Desired("routing", o => o.Map<uint, uint>("routes").Set(1, 7)),
            Desired("lb", o => { o.Map<uint, uint>("schedule").Set(70, 1); o.Map<uint, uint>("clusters").Set(7, 1); }),
        ], Lookup);
        _journal.Clear();

        var result = reconciler.Apply(
        [
            Desired("routing", o => o.Map<uint, uint>("routes")),
            Desired("lb", o => { o.Map<uint, uint>("schedule"); o.Map<uint, uint>("clusters"); }),
        ], Lookup);

        Assert.Equal(3, result.Deletes);
        Assert.Equal(["Delete routing.routes x1", "Delete lb.clusters x1", "Delete lb.schedule x1"], _journal);
        Assert.All(_maps.Values, m => Assert.Empty(m.Contents));
    }

    // Routing's route entry carries the skip mask (chain ABI 1.4). A limit added to a service
    // must be in ratelimit's map before the mask stops skipping ratelimit for it, and a limit
    // removed must be skipped before its entry goes: then no connect sees a limit half applied.
    [Fact]
    public void Apply_SkipMaskInTheRoute_ClearedAfterThePluginsConfigLands_SetBeforeItGoes()
    {
        const uint SkipRatelimit = 1u << 1;
        Kernel("routing", "routes");
        Kernel("ratelimit", "config");
        var reconciler = new MapReconciler();
        reconciler.Apply(
        [
            Desired("routing", o => o.Map<uint, uint>("routes").Set(1, SkipRatelimit)),
            Desired("ratelimit", o => o.Map<uint, uint>("config")),
        ], Lookup);
        _journal.Clear();

        reconciler.Apply(
        [
            Desired("routing", o => o.Map<uint, uint>("routes").Set(1, 0)),
            Desired("ratelimit", o => o.Map<uint, uint>("config").Set(1, 5)),
        ], Lookup);
        var added = _journal.ToList();
        _journal.Clear();
        reconciler.Apply(
        [
            Desired("routing", o => o.Map<uint, uint>("routes").Set(1, SkipRatelimit)),
            Desired("ratelimit", o => o.Map<uint, uint>("config")),
        ], Lookup);

        Assert.Equal(["Upsert ratelimit.config x1", "Upsert routing.routes x1"], added);
        Assert.Equal(["Upsert routing.routes x1", "Delete ratelimit.config x1"], _journal);
    }

    [Fact]
    public void Apply_SameStateTwice_WritesNothingTheSecondTime()
    {
        var map = Kernel("routing", "routes");
        var reconciler = new MapReconciler();
        var desired = Desired("routing", o => { var m = o.Map<uint, uint>("routes"); m.Set(1, 1); m.Set(2, 2); });
        reconciler.Apply([desired], Lookup);
        _journal.Clear();

        var result = reconciler.Apply([desired], Lookup);

        Assert.Equal(0, result.Upserts + result.Deletes);
        Assert.Empty(_journal);
        Assert.Equal(2, map.Contents.Count);
    }

    [Fact]
    public void Apply_ChangedValue_RewritesOnlyThatEntry()
    {
        Kernel("routing", "routes");
        var reconciler = new MapReconciler();
        reconciler.Apply([Desired("routing", o => { var m = o.Map<uint, uint>("routes"); m.Set(1, 1); m.Set(2, 2); })], Lookup);

        var result = reconciler.Apply([Desired("routing", o => { var m = o.Map<uint, uint>("routes"); m.Set(1, 1); m.Set(2, 3); })], Lookup);

        Assert.Equal(1, result.Upserts);
        Assert.Equal(0, result.Deletes);
    }

    [Fact]
    public void Apply_MoreEntriesThanCapacity_RefusesThePluginAndNamesTheMap()
    {
        var routes = Kernel("routing", "routes", capacity: 2);
        var schedule = Kernel("lb", "schedule");
        var reconciler = new MapReconciler();

        var result = reconciler.Apply(
        [
            Desired("routing", o => { var m = o.Map<uint, uint>("routes"); m.Set(1, 1); m.Set(2, 2); m.Set(3, 3); }),
            Desired("lb", o => o.Map<uint, uint>("schedule").Set(9, 9)),
        ], Lookup);

        Assert.False(result.Complete);
        var error = Assert.Single(result.PluginErrors);
        Assert.Equal("routing", error.Key);
        Assert.Contains("map routes", error.Value);
        Assert.Contains("at most 2", error.Value);
        Assert.Contains("--map-capacity routing.routes=", error.Value);
        Assert.Empty(routes.Contents); // nothing truncated in
        Assert.Single(schedule.Contents); // the other plugin still applied
    }

    [Fact]
    public void Apply_FullMapDuringSwap_ShedsStaleEntriesFirst()
    {
        var routes = Kernel("routing", "routes", capacity: 2);
        var reconciler = new MapReconciler();
        reconciler.Apply([Desired("routing", o => { var m = o.Map<uint, uint>("routes"); m.Set(1, 1); m.Set(2, 2); })], Lookup);

        var result = reconciler.Apply([Desired("routing", o => { var m = o.Map<uint, uint>("routes"); m.Set(3, 3); m.Set(4, 4); })], Lookup);

        Assert.True(result.Complete, string.Join("; ", result.PluginErrors.Values));
        Assert.Equal(2, routes.Contents.Count);
    }

    [Fact]
    public void Apply_LayoutDrift_IsReportedAsMirrorDrift()
    {
        Kernel("routing", "routes", keySize: 20);
        var reconciler = new MapReconciler();

        var result = reconciler.Apply([Desired("routing", o => o.Map<uint, uint>("routes").Set(1, 1))], Lookup);

        Assert.Contains("drifted", result.PluginErrors["routing"]);
    }

    [Fact]
    public void Apply_UnknownMap_IsReported()
    {
        var reconciler = new MapReconciler();

        var result = reconciler.Apply([Desired("routing", o => o.Map<uint, uint>("nope").Set(1, 1))], Lookup);

        Assert.Contains("'nope'", result.PluginErrors["routing"]);
    }

    [Fact]
    public void Apply_LargeWrites_AppliedMemoryMatchesTheKernel()
    {
        // Steps this large have the applied table sized up front (new keys counted, replacements not).
        var map = Kernel("lb", "schedule", capacity: 10_000);
        var reconciler = new MapReconciler();
        reconciler.Apply([Desired("lb", o => { var m = o.Map<uint, uint>("schedule"); for (var k = 0u; k < 3000; k++) m.Set(k, k); })], Lookup);
        _journal.Clear();

        // 1 500 values changed, 100 keys new, 200 gone: only those are written.
        var result = reconciler.Apply([Desired("lb", o =>
        {
            var m = o.Map<uint, uint>("schedule");
            for (var k = 200u; k < 3100; k++)
                m.Set(k, k < 1700 ? k + 1 : k);
        })], Lookup);

        Assert.True(result.Complete);
        Assert.Equal(1600, result.Upserts);
        Assert.Equal(200, result.Deletes);
        Assert.Equal(2900, map.Contents.Count);
        Assert.Equal(2900, reconciler.Applied.Entries("lb", "schedule").Count);
        Assert.Equal(0, reconciler.Apply([Desired("lb", o =>
        {
            var m = o.Map<uint, uint>("schedule");
            for (var k = 200u; k < 3100; k++)
                m.Set(k, k < 1700 ? k + 1 : k);
        })], Lookup).Upserts);
    }
}
