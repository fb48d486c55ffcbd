using Kmesh.Sdk.Snapshot;
using Kmesh.Xds;

namespace Kmesh.Core.Check;

/// <summary>
/// How the check names an item of a file, and which resource it is, so that what translators
/// report about that resource joins the item.
/// </summary>
internal static class ResourceLabels
{
    /// <summary>The item's label; a config dump's copy adds where it is, as several copies may share a name (<c>local_route</c>).</summary>
    public static string Of(ConfigEntry entry) => entry.IsCopy ? $"{Plain(entry)} (copy at {entry.FieldPath})" : Plain(entry);

    /// <summary>
    /// The resource the item is, as translators report on it; null for a copy (what is reported
    /// is the original's) and for an item that is no resource of a kind they name.
    /// </summary>
    public static ResourceRef? ReferenceOf(ConfigEntry entry) =>
        !entry.IsCopy && KindOf(entry.Kind) is { } kind ? new ResourceRef(kind, NameOf(entry)) : null;

    private static string Plain(ConfigEntry entry) => KindOf(entry.Kind) is { } kind
        ? new ResourceRef(kind, NameOf(entry)).ToString()
        : entry.Kind switch
        {
            ConfigEntryKind.BootstrapField => $"bootstrap field {entry.Name}",
            ConfigEntryKind.ConfigDumpSection => $"config dump section {entry.Name}",
            ConfigEntryKind.KubernetesField => $"kubernetes field {entry.Name}",
            _ => $"resource {TypeName(entry.TypeUrl)} {NameOf(entry)}",
        };

    private static ResourceKind? KindOf(ConfigEntryKind kind) => kind switch
    {
        ConfigEntryKind.Listener => ResourceKind.Listener,
        ConfigEntryKind.Cluster => ResourceKind.Cluster,
        ConfigEntryKind.ClusterLoadAssignment => ResourceKind.ClusterLoadAssignment,
        ConfigEntryKind.RouteConfiguration => ResourceKind.RouteConfiguration,
        ConfigEntryKind.Secret => ResourceKind.Secret,
        _ => null,
    };

    /// <summary>
    /// The name, or for an unnamed item where it is: Envoy lets static listeners go unnamed, and
    /// two of them must not share one name, or their outcomes would be mixed up.
    /// </summary>
    public static string NameOf(ConfigEntry entry)
    {
        if (entry.Name.Length > 0)
            return entry.Name;
        return entry.FieldPath.Length > 0 ? $"(unnamed, {entry.FieldPath})" : $"(unnamed, line {entry.Line})";
    }

    private static string TypeName(string typeUrl) => typeUrl[(typeUrl.LastIndexOf('/') + 1)..];
}
