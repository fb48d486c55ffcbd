namespace Kmesh.Core.Datapath;

/// <summary>What became of one plugin of the chosen set.</summary>
/// <param name="Name">The plugin.</param>
/// <param name="Version">Its version.</param>
/// <param name="Active">In the chain and serving.</param>
/// <param name="Detail">Slots when active; the reason (with the verifier log's tail) when left out.</param>
public sealed record PluginStatus(string Name, string Version, bool Active, string Detail);
