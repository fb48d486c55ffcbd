using Google.Protobuf.Reflection;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// A bare resource, or a bare list of resources of one type, without any <c>"@type"</c>
/// (what Envoy Gateway's translator tests write, usually in protojson lowerCamel). The type is
/// the one resource type that has a field for every key used; anything else is an error.
/// </summary>
internal static class BareResourceShape
{
    public static void Read(DocumentContext ctx, YamlNode root)
    {
        var items = YamlNav.Items(root).ToList();
        if (items.Count == 0)
            return;
        if (items.All(ResourceWrapper.Is))
        {
            for (var i = 0; i < items.Count; i++)
                ResourceWrapper.Read(ctx, (YamlMappingNode)items[i], Path(root, i));
            return;
        }
        if (items.All(i => YamlNav.Child(i, "@type") is not null))
        {
            for (var i = 0; i < items.Count; i++)
                ctx.AddTagged(items[i], Path(root, i));
            return;
        }

        var type = Infer(ctx, root, items);
        for (var i = 0; i < items.Count; i++)
            ctx.Add(items[i], type, Path(root, i));
    }

    private static string Path(YamlNode root, int index) => root is YamlSequenceNode ? FieldPath.Index("", index) : "";

    private static MessageDescriptor Infer(DocumentContext ctx, YamlNode root, List<YamlNode> items)
    {
        foreach (var item in items)
        {
            if (item is not YamlMappingNode)
                throw ctx.Source.NotEnvoyConfig(item, "expected a mapping: a resource, static_resources, resources or configs");
        }
        var keys = items.Cast<YamlMappingNode>().SelectMany(YamlNav.Keys).ToList();
        var fits = DocumentContext.ResourceTypes
            .Where(t => keys.All(k => YamlProtoWriter.FindField(t, k.Name) is not null))
            .ToList();
        if (fits.Count == 1)
            return fits[0];

        var names = string.Join(", ", DocumentContext.ResourceTypes.Select(t => t.Name));
        if (fits.Count > 1)
            throw ctx.Source.Error(root, "",
                $"cannot tell the resource type: the keys fit {string.Join(" and ", fits.Select(t => t.Name))}; give each an \"@type\"");
        var stray = keys.FirstOrDefault(k => DocumentContext.ResourceTypes.All(t => YamlProtoWriter.FindField(t, k.Name) is null));
        if (stray.Key is null)
            throw ctx.Source.Error(root, "", $"the items are not all of one resource type ({names}); give each an \"@type\"");
        throw ctx.Source.NotEnvoyConfig(stray.Key,
            "neither static_resources (an Envoy bootstrap), resources (a DiscoveryResponse-style list), " +
            $"configs (an admin config_dump) nor a bare {names}: key '{stray.Name}' fits none of them");
    }
}
