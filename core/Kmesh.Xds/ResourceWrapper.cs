using Envoy.Config.Endpoint.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// An <c>envoy.service.discovery.v3.Resource</c> wrapper in a <c>resources:</c> list —
/// <c>name</c>, <c>version</c>, <c>resource: {"@type": ...}</c> — the form delta xDS puts on the
/// wire and other control planes write their golden files in (also packed, with
/// <c>"@type": ...Resource</c>, as a SotW response may carry it). The wrapped resource is read
/// as any listed one; the wrapper's name must be the resource's own, and its version is kept.
/// </summary>
internal static class ResourceWrapper
{
    /// <summary>Whether a listed item is a wrapper: its <c>@type</c> names Resource, or it has none and has a <c>resource</c>.</summary>
    public static bool Is(YamlNode item)
    {
        if (item is not YamlMappingNode map)
            return false;
        var type = YamlNav.Child(map, "@type") is YamlScalarNode { Value: { } url } ? UnknownTypes.TypeName(url) : null;
        return type == Resource.Descriptor.FullName || type is null && YamlNav.Child(map, "resource") is not null;
    }

    /// <summary>Reads the wrapped resource at <paramref name="path"/><c>.resource</c>.</summary>
    public static void Read(DocumentContext ctx, YamlMappingNode wrapper, string path)
    {
        Wrapped wrapped;
        try
        {
            wrapped = Open(ctx.Source, wrapper, path);
        }
        catch (ConfigParseException e) when (ctx.Lenient)
        {
            var inner = YamlNav.Child(wrapper, "resource") as YamlMappingNode;
            var type = inner is null ? null : ctx.Reader.Writer.TryResolveAnyQuietly(inner);
            var kind = type is not null && DocumentContext.ResourceTypes.Contains(type) ? DocumentContext.KindOf(type) : ConfigEntryKind.UnknownResource;
            ctx.Collector.Refuse(kind, Scalar(YamlNav.Child(wrapper, "name")) ?? "", wrapper, path, e);
            return;
        }
        ctx.AddTagged(wrapped.Resource, FieldPath.Field(path, "resource"), wrapper: wrapped);
    }

    private static Wrapped Open(YamlSource source, YamlMappingNode wrapper, string path)
    {
        // aliases, ttl, cache_control and metadata are hints to a delta client's cache; only the key names are checked.
        YamlNav.CheckKeys(source, wrapper, Resource.Descriptor, path);
        var resource = YamlNav.Child(wrapper, "resource")
            ?? throw source.Error(wrapper, path, "a Resource wrapper without its resource: give resource: { \"@type\": ..., ... }");
        var nameNode = YamlNav.Child(wrapper, "name");
        var name = nameNode is null ? null : Scalar(nameNode) ?? throw source.Error(nameNode, FieldPath.Field(path, "name"), "expected a string");
        var versionNode = YamlNav.Child(wrapper, "version");
        var version = versionNode is null ? null : Scalar(versionNode) ?? throw source.Error(versionNode, FieldPath.Field(path, "version"), "expected a string");
        return new Wrapped(resource, name, nameNode, FieldPath.Field(path, "name"), version);
    }

    private static string? Scalar(YamlNode? node) => node is YamlScalarNode { Value: { } value } ? value : null;

    /// <summary>What a wrapper says about the resource it wraps.</summary>
    public sealed record Wrapped(YamlNode Resource, string? Name, YamlNode? NameNode, string NamePath, string? Version)
    {
        /// <summary>
        /// The wrapper's name is the name the resource is subscribed and removed by, so it must be
        /// the resource's own (as Envoy requires of a delta response); a mismatch names both.
        /// </summary>
        public void Check(YamlSource source, IMessage message)
        {
            var (_, own, _) = ResourceCollector.Identify(message);
            if (Name is null || Name == own)
                return;
            var field = message is ClusterLoadAssignment ? "cluster_name" : "name";
            throw source.Error(NameNode!, NamePath,
                $"the Resource wrapper is named '{Name}' but the {message.Descriptor.FullName} it wraps has {field} '{own}': they must be the same");
        }
    }
}
