using Envoy.Admin.V3;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Core.Hosting;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using Kmesh.Xds;

namespace Kmesh.Admin.Endpoints;

/// <summary>
/// Envoy's <c>envoy.admin.v3.ConfigDump</c> of the configuration in force, so that tools that read
/// Envoy's <c>/config_dump</c> read ours, plus kmesh's own section (what each resource became, each
/// plugin's state) as a <c>google.protobuf.Struct</c> that every protobuf JSON reader resolves.
/// </summary>
internal static class ConfigDumpBuilder
{
    /// <summary>Every type a dump can hold, for writing and reading its <c>Any</c>s.</summary>
    public static TypeRegistry Registry { get; } = TypeRegistry.FromFiles(
        Kmesh.Envoy.Api.EnvoyTypes.Files.Append(Struct.Descriptor.File).Distinct().ToArray());

    public static JsonFormatter Formatter { get; } = new(JsonFormatter.Settings.Default.WithTypeRegistry(Registry).WithIndentation());

    /// <summary>The four xDS dumps of <paramref name="applied"/>, in Envoy's order.</summary>
    public static IReadOnlyList<IMessage> Dumps(AppliedConfig applied, IReadOnlyDictionary<string, string>? versions)
    {
        var updated = Timestamp.FromDateTimeOffset(applied.AppliedAt);
        string Version(string type) => versions?.GetValueOrDefault(type) ?? applied.Version;

        var listeners = new ListenersConfigDump { VersionInfo = Version("listeners") };
        foreach (var listener in applied.Resources.Listeners)
        {
            listeners.DynamicListeners.Add(new ListenersConfigDump.Types.DynamicListener
            {
                Name = listener.Name,
                ActiveState = new ListenersConfigDump.Types.DynamicListenerState { VersionInfo = Version("listeners"), Listener = Any.Pack(listener), LastUpdated = updated },
            });
        }
        var clusters = new ClustersConfigDump { VersionInfo = Version("clusters") };
        foreach (var cluster in applied.Resources.Clusters)
            clusters.DynamicActiveClusters.Add(new ClustersConfigDump.Types.DynamicCluster { VersionInfo = Version("clusters"), Cluster = Any.Pack(cluster), LastUpdated = updated });
        var routes = new RoutesConfigDump();
        foreach (var route in applied.Resources.Routes)
            routes.DynamicRouteConfigs.Add(new RoutesConfigDump.Types.DynamicRouteConfig { VersionInfo = Version("routes"), RouteConfig = Any.Pack(route), LastUpdated = updated });
        var endpoints = new EndpointsConfigDump();
        foreach (var assignment in applied.Resources.Endpoints)
            endpoints.DynamicEndpointConfigs.Add(new EndpointsConfigDump.Types.DynamicEndpointConfig { VersionInfo = Version("endpoints"), EndpointConfig = Any.Pack(assignment), LastUpdated = updated });
        return [listeners, clusters, routes, endpoints];
    }

    /// <summary>The names a dump entry goes by, for <c>?name_regex=</c>.</summary>
    public static string NameOf(IMessage entry) => entry switch
    {
        ListenersConfigDump.Types.DynamicListener l => l.Name,
        ClustersConfigDump.Types.DynamicCluster c => c.Cluster?.Unpack<global::Envoy.Config.Cluster.V3.Cluster>().Name ?? "",
        RoutesConfigDump.Types.DynamicRouteConfig r => r.RouteConfig?.Unpack<global::Envoy.Config.Route.V3.RouteConfiguration>().Name ?? "",
        EndpointsConfigDump.Types.DynamicEndpointConfig e => e.EndpointConfig?.Unpack<global::Envoy.Config.Endpoint.V3.ClusterLoadAssignment>().ClusterName ?? "",
        _ => "",
    };

    /// <summary>kmesh's section: each resource's outcome with the facts and findings behind it, and the plugins.</summary>
    public static Struct KmeshSection(AppliedConfig applied, IEnumerable<object> plugins)
    {
        var resources = new SortedDictionary<ResourceRef, (List<string> Facts, List<TranslationDiagnostic> Findings)>();
        (List<string>, List<TranslationDiagnostic>) Entry(ResourceRef resource)
        {
            if (!resources.TryGetValue(resource, out var entry))
                resources[resource] = entry = ([], []);
            return entry;
        }
        foreach (var listener in applied.Resources.Listeners)
            Entry(ResourceRef.Listener(listener.Name));
        foreach (var cluster in applied.Resources.Clusters)
            Entry(ResourceRef.Cluster(cluster.Name));
        foreach (var fact in applied.Facts)
            Entry(fact.Fact.Resource).Item1.Add($"{fact.Plugin}: {(fact.Fact.Field.Length == 0 ? "" : fact.Fact.Field + ": ")}{fact.Fact.Detail}");
        foreach (var diagnostic in applied.Diagnostics)
            Entry(diagnostic.Resource).Item2.Add(diagnostic);

        var list = new ListValue();
        foreach (var (resource, (facts, findings)) in resources)
        {
            var outcome = findings.Any(f => f.Severity == DiagnosticSeverity.Error) ? "rejected"
                : facts.Count > 0 && findings.Any(f => f.Severity == DiagnosticSeverity.Warning) ? "partial"
                : facts.Count > 0 ? "applied"
                : "not_used";
            var item = new Struct();
            item.Fields["resource"] = Value.ForString(resource.ToString());
            item.Fields["outcome"] = Value.ForString(outcome);
            item.Fields["facts"] = Value.ForList(facts.Select(Value.ForString).ToArray());
            item.Fields["findings"] = Value.ForList(findings.Select(f => Value.ForString($"{f.Severity.ToString().ToLowerInvariant()}: {(f.Field.Length == 0 ? "" : f.Field + ": ")}{f.Message}")).ToArray());
            list.Values.Add(Value.ForStruct(item));
        }
        var kmesh = new Struct();
        kmesh.Fields["version"] = Value.ForString(applied.Version);
        kmesh.Fields["resources"] = Value.ForList(list.Values.ToArray());
        kmesh.Fields["plugins"] = Value.Parser.ParseJson(System.Text.Json.JsonSerializer.Serialize(plugins, AdminJson.Compact));
        var section = new Struct();
        section.Fields["kmesh"] = Value.ForStruct(kmesh);
        return section;
    }
}
