using Envoy.Config.Bootstrap.V3;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Listener.V3;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>An Envoy bootstrap: the listeners and clusters of its <c>static_resources</c>.</summary>
internal static class BootstrapShape
{
    public static void Read(DocumentContext ctx, YamlMappingNode root)
    {
        // Only static_resources is ours; the rest (admin, node, layered_runtime...) belongs to
        // Envoy, but a key that is not a bootstrap field at all is a typo worth reporting.
        YamlNav.CheckKeys(ctx.Source, root, Bootstrap.Descriptor, "");
        var node = YamlNav.Child(root, "static_resources")!;
        if (node is not YamlMappingNode statics)
            throw ctx.Source.Error(node, "static_resources", "expected a mapping");
        YamlNav.CheckKeys(ctx.Source, statics, Bootstrap.Types.StaticResources.Descriptor, "static_resources");

        // Paths start at the list, as a person reads "listeners[0]"; secrets are Envoy's business.
        var index = 0;
        foreach (var item in YamlNav.Items(YamlNav.Child(statics, "listeners")))
            ctx.Add(item, Listener.Descriptor, FieldPath.Index("listeners", index++));
        index = 0;
        foreach (var item in YamlNav.Items(YamlNav.Child(statics, "clusters")))
            ctx.Add(item, Cluster.Descriptor, FieldPath.Index("clusters", index++));
    }
}
