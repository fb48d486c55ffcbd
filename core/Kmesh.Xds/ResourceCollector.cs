using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;
using Kmesh.Envoy.Api;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>Gathers the resources of one file, refusing a name used twice for one type.</summary>
internal sealed class ResourceCollector(YamlSource source)
{
    private readonly List<Listener> _listeners = [];
    private readonly List<Cluster> _clusters = [];
    private readonly List<ClusterLoadAssignment> _endpoints = [];
    private readonly List<RouteConfiguration> _routes = [];
    private readonly Dictionary<(string TypeUrl, string Name), int> _lines = [];

    public void Add(IMessage message, YamlNode node, string path)
    {
        var (typeUrl, name, kind) = message switch
        {
            Listener l => (EnvoyTypes.Listener, l.Name, "listener"),
            Cluster c => (EnvoyTypes.Cluster, c.Name, "cluster"),
            ClusterLoadAssignment e => (EnvoyTypes.ClusterLoadAssignment, e.ClusterName, "cluster load assignment"),
            RouteConfiguration r => (EnvoyTypes.RouteConfiguration, r.Name, "route configuration"),
            _ => throw new ArgumentException($"not a resource type: {message.Descriptor.FullName}", nameof(message)),
        };
        // Envoy names a static listener that has no name itself, so several may lack one.
        if (name.Length > 0)
        {
            var line = YamlSource.LineOf(node);
            if (_lines.TryGetValue((typeUrl, name), out var first))
                throw source.Error(node, path, $"duplicate {kind} name '{name}': defined at line {first} and again at line {line}");
            _lines[(typeUrl, name)] = line;
        }

        switch (message)
        {
            case Listener l: _listeners.Add(l); break;
            case Cluster c: _clusters.Add(c); break;
            case ClusterLoadAssignment e: _endpoints.Add(e); break;
            case RouteConfiguration r: _routes.Add(r); break;
        }
    }

    public EnvoyResources Build(string? versionInfo) =>
        new(_listeners, _clusters, _endpoints, _routes, versionInfo) { ResourceLines = _lines, Warnings = source.Warnings.ToList() };
}
