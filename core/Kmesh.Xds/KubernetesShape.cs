using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// A Kubernetes object (<c>apiVersion</c> and <c>kind</c>), as manifests are written. The custom
/// resources that carry Envoy resources are read (<see cref="CiliumEnvoyConfigShape"/>); any other
/// kind is not Envoy configuration, and is refused naming its kind and line.
/// </summary>
internal static class KubernetesShape
{
    /// <summary>Whether a document is a Kubernetes object: a mapping with string <c>apiVersion</c> and <c>kind</c>.</summary>
    public static bool Is(YamlNode root) =>
        YamlNav.Child(root, "apiVersion") is YamlScalarNode { Value.Length: > 0 } && YamlNav.Child(root, "kind") is YamlScalarNode { Value.Length: > 0 };

    /// <summary>Reads the object; returns the shape's name.</summary>
    public static string Read(DocumentContext ctx, YamlMappingNode root)
    {
        var kindNode = (YamlScalarNode)YamlNav.Child(root, "kind")!;
        var apiVersion = ((YamlScalarNode)YamlNav.Child(root, "apiVersion")!).Value!;
        var kind = kindNode.Value!;
        if (CiliumEnvoyConfigShape.Reads(apiVersion, kind))
        {
            CiliumEnvoyConfigShape.Read(ctx, root, kind);
            return CiliumEnvoyConfigShape.ShapeName(kind);
        }
        throw ctx.Source.NotEnvoyConfig(kindNode,
            $"a Kubernetes {kind} ({apiVersion}), not Envoy resources; of Kubernetes objects kmesh reads the Envoy resources " +
            "of CiliumEnvoyConfig and CiliumClusterwideEnvoyConfig (cilium.io/v2)");
    }
}
