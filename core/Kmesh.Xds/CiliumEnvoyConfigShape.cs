using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// Cilium's custom resources that carry Envoy resources: <c>CiliumEnvoyConfig</c> (namespaced) and
/// <c>CiliumClusterwideEnvoyConfig</c> (<c>apiVersion: cilium.io/v2</c>), whose
/// <c>spec.resources</c> are Envoy resources each with an <c>"@type"</c>, read as a resources
/// list's. The rest of <c>spec</c> tells Cilium how to steer traffic into its proxy; each such
/// field is recorded as not used, with why.
/// </summary>
internal static class CiliumEnvoyConfigShape
{
    private static readonly string[] Kinds = ["CiliumEnvoyConfig", "CiliumClusterwideEnvoyConfig"];

    // The spec's fields besides resources (Cilium's CRD schema), and why kmesh does not read them.
    private static readonly Dictionary<string, string> OtherSpecFields = new(StringComparer.Ordinal)
    {
        ["services"] = "the Kubernetes services whose traffic Cilium redirects to these listeners (its proxy); kmesh governs connects by the listeners' own addresses, so it is not read",
        ["backendServices"] = "the services whose endpoints Cilium hands Envoy over EDS (as namespace/name:port); kmesh takes endpoints from ClusterLoadAssignments in its own configuration, so it is not read",
        ["nodeSelector"] = "the nodes Cilium applies this configuration on; kmesh applies the file it is given on the node it runs on",
    };

    public static bool Reads(string apiVersion, string kind) =>
        Kinds.Contains(kind, StringComparer.Ordinal) && apiVersion.StartsWith("cilium.io/", StringComparison.Ordinal);

    public static string ShapeName(string kind) => kind == "CiliumEnvoyConfig" ? "cilium envoy config" : "cilium clusterwide envoy config";

    public static void Read(DocumentContext ctx, YamlMappingNode root, string kind)
    {
        foreach (var (key, name) in YamlNav.Keys(root))
        {
            if (name is not ("apiVersion" or "kind" or "metadata" or "spec"))
                throw ctx.Source.Error(key, name, $"unknown field '{name}' in a {kind}: expected apiVersion, kind, metadata and spec");
        }
        if (YamlNav.Child(root, "spec") is not YamlMappingNode spec)
            throw ctx.Source.Error(YamlNav.Child(root, "spec") ?? root, "spec", $"a {kind} needs a spec with its resources");
        foreach (var (key, name) in YamlNav.Keys(spec))
        {
            if (name == "resources")
                continue;
            if (!OtherSpecFields.TryGetValue(name, out var reason))
                throw ctx.Source.Error(key, FieldPath.Field("spec", name),
                    $"unknown field '{name}' in a {kind}'s spec: expected resources, services, backendServices or nodeSelector");
            ctx.Collector.Skip(ConfigEntryKind.KubernetesField, FieldPath.Field("spec", name), key, FieldPath.Field("spec", name), reason);
        }
        var index = 0;
        foreach (var item in YamlNav.Items(YamlNav.Child(spec, "resources")))
        {
            var path = FieldPath.Index("spec.resources", index++);
            if (ResourceWrapper.Is(item))
                ResourceWrapper.Read(ctx, (YamlMappingNode)item, path);
            else
                ctx.AddTagged(item, path);
        }
    }
}
