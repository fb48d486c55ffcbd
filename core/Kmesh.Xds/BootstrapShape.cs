using Envoy.Config.Bootstrap.V3;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Listener.V3;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// An Envoy bootstrap: the listeners and clusters of its <c>static_resources</c>. Its other
/// fields and its static secrets are Envoy's own; each is recorded as skipped, with why.
/// </summary>
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
        index = 0;
        foreach (var item in YamlNav.Items(YamlNav.Child(statics, "secrets")))
            ctx.Collector.Skip(ConfigEntryKind.Secret, DocumentContext.NameOf(item, null), item, FieldPath.Index("secrets", index++), SecretReason);

        foreach (var (key, name) in YamlNav.Keys(root).Where(k => k.Name is not ("static_resources" or "staticResources")))
            ctx.Collector.Skip(ConfigEntryKind.BootstrapField, name, key, name, ReasonFor(name));
    }

    private const string SecretReason =
        "a TLS secret (SDS) for Envoy's own TLS; connect-time governance works below TLS and has no use for it";

    private static string ReasonFor(string field) => field switch
    {
        "dynamic_resources" or "dynamicResources" =>
            "where Envoy fetches listeners and clusters (files or a control plane); give kmesh run that file (--config) or that control plane (--xds) itself",
        "admin" => "Envoy's admin interface; kmesh has none (its state is in its log and its pinned maps)",
        "node" => "the identity Envoy presents to its control plane; kmesh run --xds takes it from --node-id and the --xds-* flags",
        "layered_runtime" or "layeredRuntime" =>
            "Envoy's runtime overrides (such as fault.http.abort.abort_percent) are not read: the values written in the resources apply",
        _ => $"an Envoy process setting (bootstrap field '{field}'), not a resource that describes traffic to govern",
    };
}
