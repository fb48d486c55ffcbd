using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// What every document shape reads with: the file, the resource reader, the collector. When
/// <see cref="Lenient"/>, a resource that cannot be read is recorded as refused and the rest
/// of the file is still read (a dry run accounts for each resource); otherwise it fails the file.
/// </summary>
internal sealed class DocumentContext(YamlSource source, ResourceReader reader, ResourceCollector collector, bool lenient = false)
{
    /// <summary>The message types a file may hold as resources.</summary>
    public static readonly IReadOnlyList<MessageDescriptor> ResourceTypes =
        [Listener.Descriptor, Cluster.Descriptor, ClusterLoadAssignment.Descriptor, RouteConfiguration.Descriptor];

    /// <summary>
    /// The other resource types of Envoy's xDS (SDS, scoped RDS, VHDS, RTDS, ECDS, LEDS): a
    /// resources list may rightly hold them, so they are skipped with a warning, whereas any
    /// other known message there (a filter config, say) is a mistake.
    /// </summary>
    private static readonly HashSet<string> OtherXdsTypes =
    [
        "envoy.extensions.transport_sockets.tls.v3.Secret",
        "envoy.config.route.v3.ScopedRouteConfiguration",
        "envoy.config.route.v3.VirtualHost",
        "envoy.service.runtime.v3.Runtime",
        "envoy.config.core.v3.TypedExtensionConfig",
        "envoy.config.endpoint.v3.LbEndpoint",
    ];

    private const string SecretType = "envoy.extensions.transport_sockets.tls.v3.Secret";

    private static readonly string ResourceTypeNames = string.Join(", ", ResourceTypes.Select(t => t.Name));

    public YamlSource Source { get; } = source;

    public ResourceReader Reader { get; } = reader;

    public ResourceCollector Collector { get; } = collector;

    public bool Lenient { get; } = lenient;

    /// <summary>
    /// Reads a node as a resource of a known type and keeps it. A resource inside a Resource
    /// wrapper (<paramref name="wrapper"/>) has the wrapper's name checked and its version kept.
    /// When <paramref name="copyOf"/> says why the message is a config dump's copy of what another
    /// resource carries, it is recorded as that copy instead.
    /// </summary>
    public void Add(YamlNode node, MessageDescriptor type, string path, bool skipTypeKey = false, ResourceWrapper.Wrapped? wrapper = null,
        Func<IMessage, string?>? copyOf = null)
    {
        var before = Source.Warnings.Count;
        try
        {
            var message = Reader.Read(node, type, path, skipTypeKey);
            wrapper?.Check(Source, message);
            if (copyOf?.Invoke(message) is { } original)
                Collector.Copy(message, node, path, original, Source.Warnings.Skip(before).ToList());
            else
                Collector.Add(message, node, path, Source.Warnings.Skip(before).ToList(), wrapper?.Version);
        }
        catch (ConfigParseException e) when (Lenient)
        {
            Collector.Refuse(KindOf(type), NameOf(node, type), node, path, e);
        }
    }

    /// <summary>
    /// Reads an <c>"@type"</c>-tagged resource node. <paramref name="expected"/> limits the type
    /// (where the document says what it holds); without it, a resource of a type Kmesh does not
    /// know, or of an xDS type it does not read (such as a Secret), is skipped with a warning.
    /// </summary>
    public void AddTagged(YamlNode node, string path, MessageDescriptor? expected = null, ResourceWrapper.Wrapped? wrapper = null,
        Func<IMessage, string?>? copyOf = null)
    {
        try
        {
            AddTaggedStrictly(node, path, expected, wrapper, copyOf);
        }
        catch (ConfigParseException e) when (Lenient)
        {
            var type = expected ?? (node is YamlMappingNode map ? Reader.Writer.TryResolveAnyQuietly(map) : null);
            var kind = type is not null && ResourceTypes.Contains(type) ? KindOf(type) : ConfigEntryKind.UnknownResource;
            Collector.Refuse(kind, type is null ? "" : NameOf(node, type), node, path, e);
        }
    }

    private void AddTaggedStrictly(YamlNode node, string path, MessageDescriptor? expected, ResourceWrapper.Wrapped? wrapper, Func<IMessage, string?>? copyOf)
    {
        if (node is not YamlMappingNode map)
            throw Source.Error(node, path, "expected a mapping with an \"@type\"");
        var type = Reader.Writer.TryResolveAny(map, path, out var url, out var typeNode);
        if (type is null)
        {
            if (expected is not null)
                throw Reader.Writer.UnknownType(typeNode, path, url);
            var warning = Source.Warning(typeNode, path,
                $"unknown resource type '{url}': Kmesh does not know the message type {UnknownTypes.TypeName(url)}{UnknownTypes.Hint(url)}; skipped");
            Source.Warn([warning]);
            Collector.Skip(ConfigEntryKind.UnknownResource, NameOf(map, null), map, path, warning.Message, [warning], url);
            return;
        }
        if (expected is not null && type != expected)
            throw Source.Error(map, path, $"expected a {expected.FullName} here, not {url}");
        if (!ResourceTypes.Contains(type))
        {
            if (expected is null && OtherXdsTypes.Contains(type.FullName))
            {
                var warning = Source.Warning(typeNode, path, $"resource type {url} is not one Kmesh reads ({ResourceTypeNames}); skipped");
                Source.Warn([warning]);
                var kind = type.FullName == SecretType ? ConfigEntryKind.Secret : ConfigEntryKind.OtherXdsResource;
                Collector.Skip(kind, NameOf(map, null), map, path, warning.Message, [warning], url);
                return;
            }
            throw Source.Error(map, path, $"resource type {url} is not one Kmesh reads from a file ({ResourceTypeNames})");
        }
        Add(map, type, path, skipTypeKey: true, wrapper, copyOf);
    }

    /// <summary>The kind of entry a resource type makes.</summary>
    public static ConfigEntryKind KindOf(MessageDescriptor type) =>
        type == Listener.Descriptor ? ConfigEntryKind.Listener
        : type == Cluster.Descriptor ? ConfigEntryKind.Cluster
        : type == ClusterLoadAssignment.Descriptor ? ConfigEntryKind.ClusterLoadAssignment
        : type == RouteConfiguration.Descriptor ? ConfigEntryKind.RouteConfiguration
        : throw new ArgumentException($"not a resource type: {type.FullName}", nameof(type));

    /// <summary>
    /// The name written in a resource's YAML (a cluster load assignment's <c>cluster_name</c>),
    /// for naming a resource that could not be read or is skipped; empty when there is none.
    /// </summary>
    public static string NameOf(YamlNode node, MessageDescriptor? type)
    {
        var key = type == ClusterLoadAssignment.Descriptor ? "cluster_name" : "name";
        return YamlNav.Child(node, key) is YamlScalarNode { Value: { } name } ? name : "";
    }
}
