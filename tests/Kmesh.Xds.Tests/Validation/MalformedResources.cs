using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Envoy.Api;
using static Kmesh.Xds.Tests.Ads.Resources;

namespace Kmesh.Xds.Tests.Validation;

/// <summary>
/// One malformed resource per kind of rule Envoy enforces, each otherwise valid, with the
/// rejection it must get (resource, field path, reason).
/// </summary>
internal static class MalformedResources
{
    public sealed record Case(string Kind, string TypeUrl, IMessage Resource, string Expected)
    {
        public override string ToString() => Kind;
    }

    /// <summary>The kinds, as theory data (the cases themselves are built fresh for each test).</summary>
    public static TheoryData<string> Kinds() => new(All().Select(c => c.Kind));

    public static Case Get(string kind) => All().Single(c => c.Kind == kind);

    public static IEnumerable<Case> All()
    {
        var noMatch = Routes("r", "a");
        noMatch.VirtualHosts[0].Routes[0].Match = null;
        yield return new("required message missing", EnvoyTypes.RouteConfiguration, noMatch,
            "route configuration r: virtual_hosts[0].routes[0].match: value is required");

        var unnamedHost = Routes("r", "a");
        unnamedHost.VirtualHosts[0].Name = "";
        yield return new("string too short", EnvoyTypes.RouteConfiguration, unnamedHost,
            "route configuration r: virtual_hosts[0].name: value length must be at least 1 characters");

        var zeroWeight = Cla("a");
        zeroWeight.Endpoints[0].LbEndpoints[0].LoadBalancingWeight = 0;
        yield return new("number out of range", EnvoyTypes.ClusterLoadAssignment, zeroWeight,
            "cluster load assignment a: endpoints[0].lb_endpoints[0].load_balancing_weight: value must be greater than or equal to 1");

        var badPort = Cla("a");
        badPort.Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.PortValue = 70000;
        yield return new("port above 65535", EnvoyTypes.ClusterLoadAssignment, badPort,
            "cluster load assignment a: endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value: value must be less than or equal to 65535");

        var undefinedPolicy = Static("c");
        undefinedPolicy.LbPolicy = (Cluster.Types.LbPolicy)42;
        yield return new("undefined enum", EnvoyTypes.Cluster, undefinedPolicy,
            "cluster c: lb_policy: value must be one of the defined enum values");

        var noDomains = Routes("r", "a");
        noDomains.VirtualHosts[0].Domains.Clear();
        yield return new("repeated min_items", EnvoyTypes.RouteConfiguration, noDomains,
            "route configuration r: virtual_hosts[0].domains: value must contain at least 1 item(s)");

        var zeroTimeout = Static("c");
        zeroTimeout.ConnectTimeout = Duration.FromTimeSpan(TimeSpan.Zero);
        yield return new("duration out of range", EnvoyTypes.Cluster, zeroTimeout,
            "cluster c: connect_timeout: value must be greater than 0s");

        var noAction = Routes("r", "a");
        noAction.VirtualHosts[0].Routes[0].ClearAction();
        yield return new("oneof required", EnvoyTypes.RouteConfiguration, noAction,
            "route configuration r: virtual_hosts[0].routes[0].action: value is required");

        var emptyPrefix = Tcp("l", "a");
        emptyPrefix.FilterChains[0].Filters[0].TypedConfig = Any.Pack(new TcpProxy { StatPrefix = "", Cluster = "a" });
        yield return new("rule inside an Any typed_config", EnvoyTypes.Listener, emptyPrefix,
            "listener l: filter_chains[0].filters[0].typed_config.stat_prefix: value length must be at least 1 characters");

        yield return new("malformed endpoint IP (Envoy's check in code)", EnvoyTypes.ClusterLoadAssignment, Cla("a", "999.0.0.1"),
            "cluster load assignment a: endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: malformed IP address: 999.0.0.1");

        var badListenerAddress = Tcp("l", "a");
        badListenerAddress.Address.SocketAddress.Address = "10.0.0";
        yield return new("malformed listener IP (Envoy's check in code)", EnvoyTypes.Listener, badListenerAddress,
            "listener l: address.socket_address.address: malformed IP address: 10.0.0");
    }
}
