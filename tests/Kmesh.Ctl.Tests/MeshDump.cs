using Envoy.Admin.V3;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Google.Protobuf.WellKnownTypes;
using EnvoyConfigDump = Envoy.Admin.V3.ConfigDump;
using Filter = Envoy.Config.Listener.V3.Filter;

namespace Kmesh.Ctl.Tests;

/// <summary>
/// A small mesh as the daemon would dump it: Envoy's ConfigDump built from the real Envoy types,
/// in the contract's order (listeners, clusters, routes, endpoints, then kmesh's Struct).
/// </summary>
internal static class MeshDump
{
    public const string Reviews = "outbound|9080||reviews.default.svc.cluster.local";
    public const string ReviewsV2 = "outbound|9080|v2|reviews.default.svc.cluster.local";
    public const string Ratings = "outbound|9080||ratings.default.svc.cluster.local";

    private static readonly Timestamp Updated = Timestamp.FromDateTime(new DateTime(2026, 12, 6, 9, 0, 0, DateTimeKind.Utc));

    public static EnvoyConfigDump Create()
    {
        var listeners = new ListenersConfigDump { VersionInfo = "7" };
        listeners.DynamicListeners.Add(DynamicListener(TcpListener("10.96.0.10_9080", "10.96.0.10", 9080, Reviews)));
        listeners.DynamicListeners.Add(DynamicListener(HttpListener("0.0.0.0_9081", 9081, "9081")));

        var clusters = new ClustersConfigDump { VersionInfo = "7" };
        clusters.DynamicActiveClusters.Add(DynamicCluster(EdsCluster(Reviews, Cluster.Types.LbPolicy.Maglev)));
        clusters.DynamicActiveClusters.Add(DynamicCluster(EdsCluster(ReviewsV2, Cluster.Types.LbPolicy.RoundRobin)));
        clusters.DynamicActiveClusters.Add(DynamicCluster(StaticCluster(Ratings)));

        var routes = new RoutesConfigDump();
        routes.DynamicRouteConfigs.Add(new RoutesConfigDump.Types.DynamicRouteConfig
        {
            VersionInfo = "7", LastUpdated = Updated, RouteConfig = Any.Pack(Route("9081")),
        });

        var endpoints = new EndpointsConfigDump();
        endpoints.DynamicEndpointConfigs.Add(DynamicEndpoints(Assignment(Reviews, ("10.244.1.7", 3, HealthStatus.Healthy), ("10.244.2.9", 1, HealthStatus.Unhealthy))));
        endpoints.DynamicEndpointConfigs.Add(DynamicEndpoints(Assignment(ReviewsV2, ("10.244.3.4", 1, HealthStatus.Unknown))));

        var dump = new EnvoyConfigDump();
        dump.Configs.Add(Any.Pack(listeners));
        dump.Configs.Add(Any.Pack(clusters));
        dump.Configs.Add(Any.Pack(routes));
        dump.Configs.Add(Any.Pack(endpoints));
        dump.Configs.Add(Any.Pack(KmeshSection()));
        return dump;
    }

    private static Listener TcpListener(string name, string ip, uint port, string cluster) => new()
    {
        Name = name,
        Address = Address(ip, port),
        FilterChains =
        {
            new FilterChain
            {
                Filters = { new Filter { Name = "envoy.filters.network.tcp_proxy", TypedConfig = Any.Pack(new TcpProxy { StatPrefix = cluster, Cluster = cluster }) } },
            },
        },
    };

    private static Listener HttpListener(string name, uint port, string routeName) => new()
    {
        Name = name,
        Address = Address("0.0.0.0", port),
        FilterChains =
        {
            new FilterChain
            {
                Filters =
                {
                    new Filter
                    {
                        Name = "envoy.filters.network.http_connection_manager",
                        TypedConfig = Any.Pack(new HttpConnectionManager
                        {
                            StatPrefix = routeName,
                            Rds = new Rds { RouteConfigName = routeName, ConfigSource = new ConfigSource { Ads = new AggregatedConfigSource() } },
                        }),
                    },
                },
            },
        },
    };

    private static Cluster EdsCluster(string name, Cluster.Types.LbPolicy policy) => new()
    {
        Name = name,
        Type = Cluster.Types.DiscoveryType.Eds,
        LbPolicy = policy,
        EdsClusterConfig = new Cluster.Types.EdsClusterConfig { EdsConfig = new ConfigSource { Ads = new AggregatedConfigSource() } },
    };

    private static Cluster StaticCluster(string name) => new()
    {
        Name = name,
        Type = Cluster.Types.DiscoveryType.Static,
        LbPolicy = Cluster.Types.LbPolicy.LeastRequest,
        LoadAssignment = Assignment(name, ("10.244.4.1", 1, HealthStatus.Healthy), ("10.244.4.2", 1, HealthStatus.Healthy), ("10.244.4.3", 1, HealthStatus.Healthy)),
    };

    private static RouteConfiguration Route(string name) => new()
    {
        Name = name,
        VirtualHosts =
        {
            new VirtualHost
            {
                Name = "reviews.default.svc.cluster.local:9081",
                Domains = { "reviews.default.svc.cluster.local", "reviews" },
                Routes =
                {
                    new Route
                    {
                        Match = new RouteMatch { Prefix = "/" },
                        Route_ = new RouteAction
                        {
                            WeightedClusters = new WeightedCluster
                            {
                                Clusters =
                                {
                                    new WeightedCluster.Types.ClusterWeight { Name = Reviews, Weight = 90 },
                                    new WeightedCluster.Types.ClusterWeight { Name = ReviewsV2, Weight = 10 },
                                },
                            },
                        },
                    },
                },
            },
        },
    };

    private static ClusterLoadAssignment Assignment(string cluster, params (string Ip, uint Weight, HealthStatus Health)[] endpoints)
    {
        var locality = new LocalityLbEndpoints();
        foreach (var (ip, weight, health) in endpoints)
        {
            locality.LbEndpoints.Add(new LbEndpoint
            {
                Endpoint = new Endpoint { Address = Address(ip, 9080) },
                LoadBalancingWeight = weight,
                HealthStatus = health,
            });
        }
        return new ClusterLoadAssignment { ClusterName = cluster, Endpoints = { locality } };
    }

    private static Address Address(string ip, uint port) => new() { SocketAddress = new SocketAddress { Address = ip, PortValue = port } };

    private static ListenersConfigDump.Types.DynamicListener DynamicListener(Listener listener) => new()
    {
        Name = listener.Name,
        ActiveState = new ListenersConfigDump.Types.DynamicListenerState { VersionInfo = "7", Listener = Any.Pack(listener), LastUpdated = Updated },
    };

    private static ClustersConfigDump.Types.DynamicCluster DynamicCluster(Cluster cluster) => new()
    {
        VersionInfo = "7", Cluster = Any.Pack(cluster), LastUpdated = Updated,
    };

    private static EndpointsConfigDump.Types.DynamicEndpointConfig DynamicEndpoints(ClusterLoadAssignment assignment) => new()
    {
        VersionInfo = "7", EndpointConfig = Any.Pack(assignment), LastUpdated = Updated,
    };

    // kmesh's own section, a google.protobuf.Struct as the contract says.
    private static Struct KmeshSection() => Struct.Parser.ParseJson("""
        { "kmesh": { "version": "7",
          "resources": [ { "resource": "cluster outbound|9080||reviews.default.svc.cluster.local", "outcome": "applied",
                           "facts": [ "MAGLEV over 2 endpoints" ], "findings": [] } ],
          "plugins": [] } }
        """);
}
