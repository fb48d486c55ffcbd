using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Kmesh.Waypoint.Routing;

/// <summary>What one listening port serves: its listener, HTTP connection manager and route configuration, and how a virtual host is chosen.</summary>
internal sealed record PortRoutes(Listener Listener, HttpConnectionManager Manager, RouteConfiguration RouteConfiguration, HostSelector Hosts);
