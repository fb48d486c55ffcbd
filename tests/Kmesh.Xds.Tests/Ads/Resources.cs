using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Google.Protobuf;
using Filter = Envoy.Config.Listener.V3.Filter;
using Google.Protobuf.WellKnownTypes;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>Small Envoy resources for protocol tests.</summary>
internal static class Resources
{
    public static Cluster Eds(string name) => new()
    {
        Name = name,
        Type = Cluster.Types.DiscoveryType.Eds,
        EdsClusterConfig = new Cluster.Types.EdsClusterConfig { EdsConfig = new ConfigSource { Ads = new AggregatedConfigSource() } },
    };

    public static Cluster Static(string name) => new() { Name = name, Type = Cluster.Types.DiscoveryType.Static };

    public static ClusterLoadAssignment Cla(string cluster, string address = "127.0.0.1") => new()
    {
        ClusterName = cluster,
        Endpoints =
        {
            new LocalityLbEndpoints
            {
                LbEndpoints = { new LbEndpoint { Endpoint = new Endpoint { Address = new Address { SocketAddress = new SocketAddress { Address = address, PortValue = 80 } } } } },
            },
        },
    };

    public static Listener Tcp(string name, string cluster) => new()
    {
        Name = name,
        Address = new Address { SocketAddress = new SocketAddress { Address = "10.0.0.1", PortValue = 80 } },
        FilterChains = { new FilterChain { Filters = { new Filter { Name = "tcp", TypedConfig = Any.Pack(new TcpProxy { StatPrefix = name, Cluster = cluster }) } } } },
    };

    public static Listener Http(string name, string routes) => new()
    {
        Name = name,
        Address = new Address { SocketAddress = new SocketAddress { Address = "10.0.0.2", PortValue = 80 } },
        FilterChains =
        {
            new FilterChain
            {
                Filters =
                {
                    new Filter
                    {
                        Name = "hcm",
                        TypedConfig = Any.Pack(new HttpConnectionManager
                        {
                            StatPrefix = name,
                            Rds = new Rds { RouteConfigName = routes, ConfigSource = new ConfigSource { Ads = new AggregatedConfigSource() } },
                        }),
                    },
                },
            },
        },
    };

    public static RouteConfiguration Routes(string name, string cluster) => new()
    {
        Name = name,
        VirtualHosts =
        {
            new VirtualHost { Name = "all", Domains = { "*" }, Routes = { new Route { Match = new RouteMatch { Prefix = "/" }, Route_ = new RouteAction { Cluster = cluster } } } },
        },
    };

    public static Any Pack(IMessage message) => Any.Pack(message);
}
