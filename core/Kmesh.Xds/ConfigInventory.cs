namespace Kmesh.Xds;

/// <summary>A config file item by item, as <see cref="EnvoyConfigFile.Inventory"/> read it.</summary>
/// <param name="Shape">The document's shape: <c>bootstrap</c>, <c>resource list</c>, <c>config dump</c>, <c>bare resources</c>,
/// <c>cilium envoy config</c> or <c>cilium clusterwide envoy config</c>; <c>multi-document</c> for a file of several documents.</param>
/// <param name="Resources">The resources that were read (those of <see cref="Entries"/> with a resource).</param>
/// <param name="Entries">Every item of the file, in file order.</param>
public sealed record ConfigInventory(string Shape, EnvoyResources Resources, IReadOnlyList<ConfigEntry> Entries);
