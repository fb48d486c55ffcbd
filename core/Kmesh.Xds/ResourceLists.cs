using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;

namespace Kmesh.Xds;

/// <summary>
/// The resources of one file as they are gathered, in file order: a list per type, the line and
/// the own version (a Resource wrapper's) of every named one. Shared by the whole-file reader
/// (<see cref="ResourceCollector"/>) and the item-by-item one (<c>IncrementalFileReader</c>), so
/// which list a message goes to is decided in one place.
/// </summary>
internal sealed class ResourceLists
{
    private readonly List<Listener> _listeners = [];
    private readonly List<Cluster> _clusters = [];
    private readonly List<ClusterLoadAssignment> _endpoints = [];
    private readonly List<RouteConfiguration> _routes = [];
    private readonly Dictionary<(string TypeUrl, string Name), int> _lines = [];
    private readonly Dictionary<(string TypeUrl, string Name), string> _versions = [];

    /// <summary>The clusters gathered so far.</summary>
    public IReadOnlyList<Cluster> Clusters => _clusters;

    /// <summary>
    /// Adds a resource; false (nothing added) when its type already has one of that name, whose
    /// line is then <paramref name="firstLine"/>. An unnamed resource (Envoy names a static
    /// listener that has none) is added without a line.
    /// </summary>
    public bool TryAdd(IMessage message, string typeUrl, string name, int line, string? version, out int firstLine)
    {
        firstLine = 0;
        if (name.Length > 0)
        {
            if (!_lines.TryAdd((typeUrl, name), line))
            {
                firstLine = _lines[(typeUrl, name)];
                return false;
            }
            if (version is not null)
                _versions[(typeUrl, name)] = version;
        }
        switch (message)
        {
            case Listener l: _listeners.Add(l); break;
            case Cluster c: _clusters.Add(c); break;
            case ClusterLoadAssignment e: _endpoints.Add(e); break;
            case RouteConfiguration r: _routes.Add(r); break;
        }
        return true;
    }

    public EnvoyResources Build(string? versionInfo, IReadOnlyList<ConfigWarning> warnings) =>
        new(_listeners, _clusters, _endpoints, _routes, versionInfo) { ResourceLines = _lines, ResourceVersions = _versions, Warnings = warnings };
}
