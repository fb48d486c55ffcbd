using Envoy.Service.Discovery.V3;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// A DiscoveryResponse-like document, as Envoy's file-based xDS reads: <c>resources:</c> whose
/// items each carry an <c>"@type"</c>, and optionally <c>version_info</c>.
/// </summary>
internal static class ResourceListShape
{
    /// <summary>Reads the resources; returns the document's version_info, if any.</summary>
    public static string? Read(DocumentContext ctx, YamlMappingNode root)
    {
        YamlNav.CheckKeys(ctx.Source, root, DiscoveryResponse.Descriptor, "");
        var version = YamlNav.Child(root, "version_info") switch
        {
            null => null,
            YamlScalarNode { Value: var text } => text,
            var other => throw ctx.Source.Error(other, "version_info", "expected a string"),
        };
        var index = 0;
        foreach (var item in YamlNav.Items(YamlNav.Child(root, "resources")))
            ctx.AddTagged(item, FieldPath.Index("resources", index++));
        return version;
    }
}
