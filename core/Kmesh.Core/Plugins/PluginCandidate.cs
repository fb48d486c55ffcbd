using Kmesh.Sdk.Manifest;

namespace Kmesh.Core.Plugins;

/// <summary>A plugin folder found on disk, with its manifest.</summary>
/// <param name="Manifest">The parsed manifest.</param>
/// <param name="Folder">The folder holding it.</param>
public sealed record PluginCandidate(PluginManifest Manifest, string Folder)
{
    /// <summary>Full path of the translator assembly.</summary>
    public string AssemblyPath => Path.Combine(Folder, Manifest.Assembly);

    /// <summary>Full path of the eBPF object.</summary>
    public string ObjectPath => Path.Combine(Folder, Manifest.Object);

    /// <summary>How the operator sees it: <c>routing 1.0.0</c>.</summary>
    public override string ToString() => $"{Manifest.Name} {Manifest.Version}";
}
