using System.Net;
using System.Runtime.InteropServices;
using Kmesh.Plugins.LoadBalance;
using Kmesh.Plugins.Routing;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.Tests;

/// <summary>Runs the translators and reads their output back.</summary>
internal static class Translation
{
    public const string RoutesMap = "rt_routes";
    public const string ClustersMap = "lb_clusters";
    public const string ScheduleMap = "lb_schedule";
    public const byte IpProtoTcp = 6;

    public static TranslationOutput Routing(MeshSnapshot snapshot, string? waypoint = null)
    {
        var output = new TranslationOutput();
        var translator = new RoutingTranslator();
        if (waypoint is not null)
            translator.Configure(new PluginArguments(new Dictionary<string, IReadOnlyList<string>> { [RoutingTranslator.WaypointArgument] = [waypoint] }));
        translator.Translate(snapshot, output);
        return output;
    }

    public static TranslationOutput LoadBalance(MeshSnapshot snapshot)
    {
        var output = new TranslationOutput();
        new LoadBalanceTranslator().Translate(snapshot, output);
        return output;
    }

    /// <summary>A map the translator declared (fails when it did not).</summary>
    public static DesiredMap<TKey, TValue> Declared<TKey, TValue>(this TranslationOutput output, string name)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        var map = Assert.Single(output.Maps, m => m.Name == name);
        return Assert.IsType<DesiredMap<TKey, TValue>>(map);
    }

    public static DesiredMap<RouteKey, RouteValue> Routes(this TranslationOutput output) =>
        output.Declared<RouteKey, RouteValue>(RoutesMap);

    public static DesiredMap<uint, LbClusterEntry> LbClusters(this TranslationOutput output) =>
        output.Declared<uint, LbClusterEntry>(ClustersMap);

    public static DesiredMap<LbSlotKey, LbEndpointEntry> LbSchedule(this TranslationOutput output) =>
        output.Declared<LbSlotKey, LbEndpointEntry>(ScheduleMap);

    /// <summary>The bytes of a map struct, as the kernel stores it.</summary>
    public static byte[] ToBytes<T>(T value) where T : unmanaged =>
        MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).ToArray();

    public static RouteKey RouteKeyOf(string address, int port) =>
        RouteKey.From(KmAddr.From(IPAddress.Parse(address), port), IpProtoTcp);

    /// <summary>The route for a VIP:port (fails when there is none).</summary>
    public static RouteValue RouteFor(this TranslationOutput output, string address, int port)
    {
        Assert.True(output.Routes().TryGet(RouteKeyOf(address, port), out var value),
            $"no rt_routes entry for {address}:{port}; diagnostics: {string.Join(" | ", output.Diagnostics)}");
        return value;
    }

    /// <summary>The cluster entry of a cluster (fails when there is none).</summary>
    public static LbClusterEntry ClusterEntry(this TranslationOutput output, MeshSnapshot snapshot, string cluster)
    {
        Assert.True(output.LbClusters().TryGet(snapshot.Ids.ClusterId(cluster), out var entry), $"no lb_clusters entry for {cluster}");
        return entry;
    }

    /// <summary>The endpoints of a cluster's table for a family, in slot order: from its record when inline, else from lb_schedule.</summary>
    public static List<LbEndpointEntry> Slots(this TranslationOutput output, MeshSnapshot snapshot, string cluster, LbFamily family)
    {
        var entry = output.ClusterEntry(snapshot, cluster);
        var length = family == LbFamily.V4 ? entry.LengthV4 : entry.LengthV6;
        var id = snapshot.Ids.ClusterId(cluster);
        var result = new List<LbEndpointEntry>();
        if (entry.IsInline(family))
        {
            Assert.True((family == LbFamily.V4 ? entry.InlineBaseV4 : entry.InlineBaseV6) + length <= LoadBalanceMaps.InlineSlots,
                $"cluster {cluster} {family}: an inline table of {length} columns overruns the record");
            for (uint slot = 0; slot < length; slot++)
                result.Add(entry.InlineColumn(family, slot));
            Assert.False(output.LbSchedule().TypedEntries.Any(e => e.Key.ClusterId == id && e.Key.Family == family),
                $"cluster {cluster} {family}: an inline table has lb_schedule entries too");
            return result;
        }
        for (uint slot = 0; slot < length; slot++)
        {
            Assert.True(output.LbSchedule().TryGet(new LbSlotKey(id, family, slot), out var endpoint),
                $"cluster {cluster} {family}: slot {slot} of {length} is missing");
            result.Add(endpoint);
        }
        Assert.False(output.LbSchedule().TryGet(new LbSlotKey(id, family, length), out _),
            $"cluster {cluster} {family}: a slot past the length {length} is set");
        return result;
    }

    /// <summary>
    /// Each endpoint's ("ip:port") probability of being chosen from a cluster's table for a
    /// uniform column and a uniform 32-bit draw, alias columns included: the shares RANDOM gives
    /// exactly, and ROUND_ROBIN over whole passes.
    /// </summary>
    public static Dictionary<string, double> Shares(this TranslationOutput output, MeshSnapshot snapshot, string cluster, LbFamily family)
    {
        var slots = output.Slots(snapshot, cluster, family);
        var shares = new Dictionary<string, double>();
        void Add(LbEndpointEntry entry, double p) =>
            shares[entry.Address.ToString()] = shares.GetValueOrDefault(entry.Address.ToString()) + p / slots.Count;
        foreach (var slot in slots)
        {
            var keep = slot.AliasCut == 0 ? 1.0 : slot.AliasCut / 4294967296.0;
            Add(slot, keep);
            if (keep < 1)
                Add(slots[(int)slot.AliasSlot], 1 - keep);
        }
        return shares;
    }

    /// <summary>Every entry of every map as hex, in a stable order: for comparing outputs byte for byte.</summary>
    public static List<string> Dump(this TranslationOutput output) =>
        output.Maps.SelectMany(m => m.Entries
                .Select(e => $"{m.Name} {e.Key} {Convert.ToHexString(e.Value)}")
                .Order(StringComparer.Ordinal))
            .ToList();

    public static TranslationDiagnostic AssertDiagnostic(this TranslationOutput output, DiagnosticSeverity severity, string resource, string? text = null)
    {
        var found = output.Diagnostics.FirstOrDefault(d => d.Severity == severity && d.Resource.ToString() == resource
            && (text is null || d.Message.Contains(text, StringComparison.OrdinalIgnoreCase)));
        Assert.True(found is not null,
            $"expected {severity} on '{resource}'{(text is null ? "" : $" mentioning '{text}'")}; got: {string.Join(" | ", output.Diagnostics)}");
        return found!;
    }

    public static void AssertNoDiagnostics(this TranslationOutput output) =>
        Assert.True(output.Diagnostics.Count == 0, "unexpected diagnostics: " + string.Join(" | ", output.Diagnostics));
}
