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
/// config and are skipped; a section of a type Kmesh does not know is skipped with a warning.
/// </summary>
internal static class ConfigDumpShape
{
    // Section type -> (list field, path inside an item to the resource's Any, resource type).
    private static readonly Dictionary<string, (string List, string[] Inner, MessageDescriptor Type)[]> Sections = new()
    {
        [ListenersConfigDump.Descriptor.FullName] =
        [
            ("static_listeners", ["listener"], Listener.Descriptor),
            ("dynamic_listeners", ["active_state", "listener"], Listener.Descriptor),
        ],
        [ClustersConfigDump.Descriptor.FullName] =
        [
            ("static_clusters", ["cluster"], Cluster.Descriptor),
            ("dynamic_active_clusters", ["cluster"], Cluster.Descriptor),
        ],
        [RoutesConfigDump.Descriptor.FullName] =
        [
            ("static_route_configs", ["route_config"], RouteConfiguration.Descriptor),
            ("dynamic_route_configs", ["route_config"], RouteConfiguration.Descriptor),
        ],
        [EndpointsConfigDump.Descriptor.FullName] =
        [
            ("static_endpoint_configs", ["endpoint_config"], ClusterLoadAssignment.Descriptor),
            ("dynamic_endpoint_configs", ["endpoint_config"], ClusterLoadAssignment.Descriptor),
        ],
    };

    public static void Read(DocumentContext ctx, YamlMappingNode root)
    {
        YamlNav.CheckKeys(ctx.Source, root, ConfigDump.Descriptor, "");
        var index = 0;
        foreach (var section in YamlNav.Items(YamlNav.Child(root, "configs")))
        {
            var path = FieldPath.Index("configs", index++);
            if (section is not YamlMappingNode map)
                throw ctx.Source.Error(section, path, "expected a mapping with an \"@type\"");
            var type = ctx.Reader.Writer.TryResolveAny(map, path, out var url, out var typeNode);
            if (type is null)
            {
                ctx.Source.Warn(typeNode, path,
                    $"unknown config dump section '{url}': Kmesh does not know the message type {UnknownTypes.TypeName(url)}; skipped");
                continue;
            }
            if (!Sections.TryGetValue(type.FullName, out var lists))
                continue;
            YamlNav.CheckKeys(ctx.Source, map, type, path);
            foreach (var (list, inner, resourceType) in lists)
                ReadList(ctx, map, FieldPath.Field(path, list), list, inner, resourceType);
        }
    }

    private static void ReadList(DocumentContext ctx, YamlMappingNode section, string listPath, string list,
        string[] inner, MessageDescriptor type)
    {
        var i = 0;
        foreach (var item in YamlNav.Items(YamlNav.Child(section, list)))
        {
            var path = FieldPath.Index(listPath, i++);
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
                ctx.AddTagged(node, path, type);
        }
    }
}
