using Kmesh.Xds;

namespace Kmesh.Core.Check;

/// <summary>
/// How the check names an item of a file: for resources, exactly as translators name them in
/// diagnostics and facts (<c>listener reviews</c>), so that what they report joins the item.
/// </summary>
internal static class ResourceLabels
{
    /// <summary>The item's label; a config dump's copy adds where it is, as several copies may share a name (<c>local_route</c>).</summary>
    public static string Of(ConfigEntry entry) => entry.IsCopy ? $"{Plain(entry)} (copy at {entry.FieldPath})" : Plain(entry);

    private static string Plain(ConfigEntry entry) => entry.Kind switch
    {
        ConfigEntryKind.Listener => $"listener {NameOf(entry)}",
        ConfigEntryKind.Cluster => $"cluster {NameOf(entry)}",
        ConfigEntryKind.ClusterLoadAssignment => $"cluster load assignment {NameOf(entry)}",
        ConfigEntryKind.RouteConfiguration => $"route configuration {NameOf(entry)}",
        ConfigEntryKind.Secret => $"secret {NameOf(entry)}",
        ConfigEntryKind.BootstrapField => $"bootstrap field {entry.Name}",
        ConfigEntryKind.ConfigDumpSection => $"config dump section {entry.Name}",
        ConfigEntryKind.KubernetesField => $"kubernetes field {entry.Name}",
        _ => $"resource {TypeName(entry.TypeUrl)} {NameOf(entry)}",
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
