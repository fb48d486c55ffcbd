namespace Kmesh.Core.Plugins;

/// <summary>One plugin of a chosen plugin set.</summary>
/// <param name="Name">The plugin's name.</param>
/// <param name="Versions">The versions accepted.</param>
/// <param name="AssemblySha256">Expected SHA-256 (hex) of the translator assembly; null = not pinned.</param>
/// <param name="ObjectSha256">Expected SHA-256 (hex) of the eBPF object; null = not pinned.</param>
/// <param name="Line">Where it is written, for messages.</param>
public sealed record PluginSetEntry(string Name, VersionRange Versions, string? AssemblySha256, string? ObjectSha256, int Line);
