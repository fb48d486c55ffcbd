using Envoy.Service.Discovery.V3;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// A DiscoveryResponse-like document, as Envoy's file-based xDS reads: <c>resources:</c> whose
/// items each carry an <c>"@type"</c>, and optionally <c>version_info</c>; or a
/// DeltaDiscoveryResponse-like one (<c>system_version_info</c>), whose items are
/// <c>Resource</c> wrappers (<see cref="ResourceWrapper"/>), which either list may hold.
/// </summary>
internal static class ResourceListShape
{
    /// <summary>Reads the resources; returns the document's version_info (or system_version_info), if any.</summary>
    public static string? Read(DocumentContext ctx, YamlMappingNode root)
    {
        // A delta response's fields (system_version_info, removed_resources...) are as welcome as a SotW one's.
        var shape = YamlNav.Keys(root).All(k => YamlProtoWriter.FindField(DiscoveryResponse.Descriptor, k.Name) is not null)
            ? DiscoveryResponse.Descriptor
            : DeltaDiscoveryResponse.Descriptor;
        YamlNav.CheckKeys(ctx.Source, root, shape, "");
        var versionKey = shape == DiscoveryResponse.Descriptor ? "version_info" : "system_version_info";
        var version = YamlNav.Child(root, versionKey) switch
        {
            null => null,
            YamlScalarNode { Value: var text } => text,
            var other => throw ctx.Source.Error(other, versionKey, "expected a string"),
        };
        var index = 0;
        foreach (var item in YamlNav.Items(YamlNav.Child(root, "resources")))
        {
            var path = FieldPath.Index("resources", index++);
            if (ResourceWrapper.Is(item))
                ResourceWrapper.Read(ctx, (YamlMappingNode)item, path);
            else
                ctx.AddTagged(item, path);
        }
        return version;
    }
}
