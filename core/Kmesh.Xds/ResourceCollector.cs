using Envoy.Config.Cluster.V3;
using Envoy.Config.Listener.V3;
using Google.Protobuf;
using Kmesh.Envoy.Api;
using Kmesh.Sdk.Snapshot;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// Gathers the resources of one file, refusing a name used twice for one type, and an entry
/// for every item of the file: read, refused or skipped.
/// </summary>
internal sealed class ResourceCollector(YamlSource source)
{
    private readonly ResourceLists _resources = new();
    private readonly List<ConfigEntry> _entries = [];

    /// <summary>Keeps a resource that was read; <paramref name="version"/> is its own version (a Resource wrapper's), if the file gives one.</summary>
    public void Add(IMessage message, YamlNode node, string path, IReadOnlyList<ConfigWarning> warnings, string? version = null)
    {
        var (typeUrl, name, kind) = Identify(message);
        // Envoy names a static listener that has no name itself, so several may lack one.
        var line = YamlSource.LineOf(node);
        if (!_resources.TryAdd(message, typeUrl, name, line, version, out var first))
            throw source.Error(node, path, $"duplicate {KindName(kind)} name '{name}': defined at line {first} and again at line {line}");
        _entries.Add(Entry(kind, name, node, path) with { TypeUrl = typeUrl, Resource = message, Warnings = warnings });
    }

    /// <summary>The type URL, name and kind of a resource message.</summary>
    public static (string TypeUrl, string Name, ConfigEntryKind Kind) Identify(IMessage message)
    {
        var resource = ResourceRef.Of(message) ?? throw new ArgumentException($"not a resource type: {message.Descriptor.FullName}", nameof(message));
        var kind = resource.Kind switch
        {
            ResourceKind.Listener => ConfigEntryKind.Listener,
            ResourceKind.Cluster => ConfigEntryKind.Cluster,
            ResourceKind.ClusterLoadAssignment => ConfigEntryKind.ClusterLoadAssignment,
            _ => ConfigEntryKind.RouteConfiguration,
        };
        return (resource.TypeUrl, resource.Name, kind);
    }

    /// <summary>A resource that could not be read: the rest of the file still is (lenient reading only).</summary>
    public void Refuse(ConfigEntryKind kind, string name, YamlNode node, string path, ConfigParseException error) =>
        _entries.Add(Entry(kind, name, node, path) with { Error = error });

    /// <summary>A part of the file Kmesh does not read, and why.</summary>
    public void Skip(ConfigEntryKind kind, string name, YamlNode node, string path, string reason,
        IReadOnlyList<ConfigWarning>? warnings = null, string typeUrl = "") =>
        _entries.Add(Entry(kind, name, node, path) with { SkipReason = reason, Warnings = warnings ?? [], TypeUrl = typeUrl });

    /// <summary>A config dump's copy of what another resource carries: read, but not a resource (see <see cref="ConfigEntry.IsCopy"/>).</summary>
    public void Copy(IMessage message, YamlNode node, string path, string reason, IReadOnlyList<ConfigWarning> warnings)
    {
        var (typeUrl, name, kind) = Identify(message);
        _entries.Add(Entry(kind, name, node, path) with { SkipReason = reason, IsCopy = true, Warnings = warnings, TypeUrl = typeUrl });
    }

    /// <summary>The listeners read so far, each with where it is in the file.</summary>
    public IEnumerable<(Listener Listener, string Path)> Listeners =>
        _entries.Where(e => e.Resource is Listener).Select(e => ((Listener)e.Resource!, e.FieldPath));

    /// <summary>The clusters read so far.</summary>
    public IReadOnlyList<Cluster> Clusters => _resources.Clusters;

    public EnvoyResources Build(string? versionInfo) =>
        _resources.Build(versionInfo, source.Warnings.ToList());

    /// <summary>Every entry, in file order.</summary>
    public IReadOnlyList<ConfigEntry> Entries => _entries.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();

    /// <summary>How error messages name a kind of resource.</summary>
    public static string KindName(ConfigEntryKind kind) => kind switch
    {
        ConfigEntryKind.ClusterLoadAssignment => "cluster load assignment",
        ConfigEntryKind.RouteConfiguration => "route configuration",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static ConfigEntry Entry(ConfigEntryKind kind, string name, YamlNode node, string path) =>
        new(kind, name, path, YamlSource.LineOf(node), (int)Math.Max(1, node.Start.Column));
}
