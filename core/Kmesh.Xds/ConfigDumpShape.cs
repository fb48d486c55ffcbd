using Envoy.Admin.V3;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf.Reflection;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// An admin <c>/config_dump</c> (as <c>istioctl proxy-config</c> saves it): the active
/// listeners, clusters, routes and endpoints of its sections. Warming and draining states,
/// and sections that hold no such resource (bootstrap, secrets...), are not the running
/// config and are skipped (each recorded with why); a section of a type Kmesh does not know
/// is skipped with a warning.
/// </summary>
internal static class ConfigDumpShape
{
    // Which of a dump's lists hold copies of what other resources carry (see DumpCopies).
    private enum Copies { None, InlineRoutes, ClusterEndpoints }

    // Section type -> (list field, path inside an item to the resource's Any, resource type, copies).
    private static readonly Dictionary<string, (string List, string[] Inner, MessageDescriptor Type, Copies Copies)[]> Sections = new()
    {
        [ListenersConfigDump.Descriptor.FullName] =
        [
            ("static_listeners", ["listener"], Listener.Descriptor, Copies.None),
            ("dynamic_listeners", ["active_state", "listener"], Listener.Descriptor, Copies.None),
        ],
        [ClustersConfigDump.Descriptor.FullName] =
        [
            ("static_clusters", ["cluster"], Cluster.Descriptor, Copies.None),
            ("dynamic_active_clusters", ["cluster"], Cluster.Descriptor, Copies.None),
        ],
        [RoutesConfigDump.Descriptor.FullName] =
        [
            ("static_route_configs", ["route_config"], RouteConfiguration.Descriptor, Copies.InlineRoutes),
            ("dynamic_route_configs", ["route_config"], RouteConfiguration.Descriptor, Copies.None),
        ],
        [EndpointsConfigDump.Descriptor.FullName] =
        [
            ("static_endpoint_configs", ["endpoint_config"], ClusterLoadAssignment.Descriptor, Copies.ClusterEndpoints),
            ("dynamic_endpoint_configs", ["endpoint_config"], ClusterLoadAssignment.Descriptor, Copies.ClusterEndpoints),
        ],
    };

    public static void Read(DocumentContext ctx, YamlMappingNode root)
    {
        YamlNav.CheckKeys(ctx.Source, root, ConfigDump.Descriptor, "");
        // Whether a route or endpoint item is a copy depends on the listeners and clusters, which
        // may come in any section order: those items are read once every section has been.
        var copies = new DumpCopies(ctx.Collector);
        var deferred = new List<Action>();
        var index = 0;
        foreach (var section in YamlNav.Items(YamlNav.Child(root, "configs")))
        {
            var path = FieldPath.Index("configs", index++);
            if (section is not YamlMappingNode map)
                throw ctx.Source.Error(section, path, "expected a mapping with an \"@type\"");
            var type = ctx.Reader.Writer.TryResolveAny(map, path, out var url, out var typeNode);
            if (type is null)
            {
                var warning = ctx.Source.Warning(typeNode, path,
                    $"unknown config dump section '{url}': Kmesh does not know the message type {UnknownTypes.TypeName(url)}; skipped");
                ctx.Source.Warn([warning]);
                ctx.Collector.Skip(ConfigEntryKind.ConfigDumpSection, UnknownTypes.TypeName(url), map, path, warning.Message, [warning], url);
                continue;
            }
            if (!Sections.TryGetValue(type.FullName, out var lists))
            {
                ctx.Collector.Skip(ConfigEntryKind.ConfigDumpSection, type.Name, map, path, SkippedSectionReason(type.Name), typeUrl: url);
                continue;
            }
            YamlNav.CheckKeys(ctx.Source, map, type, path);
            foreach (var (list, inner, resourceType, kind) in lists)
            {
                Action<YamlNode, string> add = kind switch
                {
                    Copies.InlineRoutes => (node, at) => deferred.Add(() => ctx.AddTagged(node, at, resourceType, copyOf: copies.RouteCopy)),
                    Copies.ClusterEndpoints => (node, at) => deferred.Add(() => ctx.AddTagged(node, at, resourceType, copyOf: copies.EndpointCopy)),
                    _ => (node, at) => ctx.AddTagged(node, at, resourceType),
                };
                ReadList(ctx, map, FieldPath.Field(path, list), list, inner, resourceType, add);
            }
            foreach (var skipped in SkippedLists)
                SkipList(ctx, map, FieldPath.Field(path, skipped.List), skipped);
        }
        foreach (var read in deferred)
            read();
    }

    // Lists of the read sections that are not the running config: (list, the resource's key in an item, kind, why).
    private static readonly (string List, string Inner, ConfigEntryKind Kind, string Reason)[] SkippedLists =
    [
        ("dynamic_warming_clusters", "cluster", ConfigEntryKind.Cluster, "a cluster still warming in the dumped Envoy (waiting for its endpoints), not yet in force"),
    ];

    // The states of a dynamic listener besides its active one.
    private static readonly (string State, string Reason)[] InactiveStates =
    [
        ("warming_state", "a version still warming in the dumped Envoy, not yet in force"),
        ("draining_state", "a version the dumped Envoy is draining, no longer in force"),
        ("error_state", "an update the dumped Envoy refused"),
    ];

    private static string SkippedSectionReason(string section) => section switch
    {
        "BootstrapConfigDump" => "the dumped Envoy's bootstrap: its process settings, not its running resources (those are the other sections)",
        "SecretsConfigDump" => "TLS secrets (SDS) for Envoy's own TLS; connect-time governance works below TLS and has no use for them",
        "ScopedRoutesConfigDump" => "scoped routes choose a route configuration from a request header, which needs L7",
        _ => $"{section} holds no listeners, clusters, routes or endpoints",
    };

    private static void ReadList(DocumentContext ctx, YamlMappingNode section, string listPath, string list,
        string[] inner, MessageDescriptor type, Action<YamlNode, string> add)
    {
        var i = 0;
        foreach (var item in YamlNav.Items(YamlNav.Child(section, list)))
        {
            var itemPath = FieldPath.Index(listPath, i++);
            var path = itemPath;
            var node = item;
            foreach (var step in inner)
            {
                node = YamlNav.Child(node, step)!;
                path = FieldPath.Field(path, step);
                if (node is null)
                    break;
            }
            // An entry without the resource (e.g. only an error_state) has nothing running.
            if (node is not null)
                add(node, path);
            foreach (var (state, reason) in InactiveStates)
            {
                if (YamlNav.Child(item, state) is { } inactive)
                    ctx.Collector.Skip(DocumentContext.KindOf(type), NameIn(item), inactive, FieldPath.Field(itemPath, state), reason);
            }
        }
    }

    private static void SkipList(DocumentContext ctx, YamlMappingNode section, string listPath,
        (string List, string Inner, ConfigEntryKind Kind, string Reason) skipped)
    {
        var i = 0;
        foreach (var item in YamlNav.Items(YamlNav.Child(section, skipped.List)))
            ctx.Collector.Skip(skipped.Kind, NameIn(YamlNav.Child(item, skipped.Inner)), item, FieldPath.Index(listPath, i++), skipped.Reason);
    }

    /// <summary>A dump item's name: its own <c>name</c> (dynamic listeners), or its resource's.</summary>
    private static string NameIn(YamlNode? item) =>
        YamlNav.Child(item, "name") is YamlScalarNode { Value: { } name } ? name : "";
}
