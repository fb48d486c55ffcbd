using System.Net;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Waypoint.Upstream;
using Kmesh.Xds;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// Builds the <see cref="WaypointTable"/> from Envoy resources: every listener with a port and an
/// HTTP connection manager a connect could reach (Istio's <c>0.0.0.0_PORT</c>), with its route
/// configuration inline or by RDS name. The kernel keeps the dialed port when it steers a connect
/// here, so a port identifies the listener; a second listener on a taken port is reported, not served.
/// </summary>
internal static class WaypointTableBuilder
{
    public static WaypointTable Build(EnvoyResources resources, string version)
    {
        var findings = new List<WaypointFinding>();
        var routesByName = new Dictionary<string, RouteConfiguration>(StringComparer.Ordinal);
        foreach (var route in resources.Routes)
            routesByName[route.Name] = route;
        var ports = new Dictionary<int, PortListenerChoice>();
        foreach (var listener in resources.Listeners)
        {
            if (listener.Address?.SocketAddress is not { PortValue: > 0 } socket)
                continue;
            var port = (int)socket.PortValue;
            var managers = HttpVirtualHosts.ReachableManagers(listener);
            if (managers.Count == 0)
                continue;
            var (hcm, field) = managers[0];
            if (RouteConfigOf(hcm, routesByName, listener, field, findings) is not { } config)
                continue;
            var resource = hcm.RouteSpecifierCase == HttpConnectionManager.RouteSpecifierOneofCase.Rds ? ResourceRef.Routes(config.Name) : ResourceRef.Listener(listener.Name);
            var domains = RouteCompiler.Compile(config, resource, findings);
            var routes = new PortRoutes(listener, hcm, config, new HostSelector(domains, hcm.StripAnyHostPort, hcm.StripMatchingHostPort));
            if (!ports.TryGetValue(port, out var choice))
                ports[port] = choice = new PortListenerChoice();
            if (!IPAddress.TryParse(socket.Address, out var address) || !choice.Add(address, routes))
                findings.Add(new WaypointFinding(ResourceRef.Listener(listener.Name), "address", $"{socket.Address}:{port} is served by an earlier listener; this one is not"));
        }
        var clusters = UpstreamClusterBuilder.Build(resources.Clusters, resources.Endpoints);
        return new WaypointTable(version, ports, clusters, findings);
    }

    private static RouteConfiguration? RouteConfigOf(HttpConnectionManager hcm, Dictionary<string, RouteConfiguration> routes, Listener listener, string field, List<WaypointFinding> findings)
    {
        switch (hcm.RouteSpecifierCase)
        {
            case HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig:
                return hcm.RouteConfig;
            case HttpConnectionManager.RouteSpecifierOneofCase.Rds when routes.TryGetValue(hcm.Rds.RouteConfigName, out var config):
                return config;
            case HttpConnectionManager.RouteSpecifierOneofCase.Rds:
                findings.Add(new WaypointFinding(ResourceRef.Listener(listener.Name), $"{field}.rds", $"route configuration {hcm.Rds.RouteConfigName} has not arrived; the port is not served"));
                return null;
            default:
                findings.Add(new WaypointFinding(ResourceRef.Listener(listener.Name), field, $"{hcm.RouteSpecifierCase} route specifier is not supported"));
                return null;
        }
    }
}
