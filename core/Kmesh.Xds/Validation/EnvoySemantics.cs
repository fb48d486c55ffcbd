using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;

namespace Kmesh.Xds.Validation;

/// <summary>
/// The checks Envoy makes in code, beyond what its proto rules can say, for the resources Kmesh reads:
/// <list type="bullet">
/// <item>a socket address that must be an IP literal (a listener's address, a STATIC cluster's and an
/// EDS assignment's endpoints; not STRICT_DNS/LOGICAL_DNS, and not one with a custom
/// <c>resolver_name</c>) is refused as <c>malformed IP address: X</c>, as
/// <c>Network::Address::resolveProtoSocketAddress</c> does;</item>
/// <item>for RING_HASH and MAGLEV clusters, weights whose sum does not fit 32 bits are refused, as
/// Envoy's thread-aware load balancers do (<c>normalizeHostWeights</c>, <c>normalizeLocalityWeights</c>).
/// Envoy checks no sum for the other policies, so neither do we.</item>
/// </list>
/// Duplicate names within one response are refused where responses are decoded (XdsDecoder).
/// </summary>
public static class EnvoySemantics
{
    private const string HostSum = "The sum of weights of all upstream hosts in a locality exceeds 4294967295";
    private const string LocalitySum = "The sum of weights of all localities at the same priority exceeds 4294967295";

    /// <summary>A listener's addresses.</summary>
    public static void Listener(Listener listener, List<Violation> violations)
    {
        if (listener.Address is { } address && !IsIp(address))
            violations.Add(Malformed("address", address));
        for (var i = 0; i < listener.AdditionalAddresses.Count; i++)
        {
            if (listener.AdditionalAddresses[i].Address is { } extra && !IsIp(extra))
                violations.Add(Malformed($"additional_addresses[{i}].address", extra));
        }
    }

    /// <summary>A STATIC cluster's inline endpoints and, for RING_HASH and MAGLEV, their weights.</summary>
    public static void Cluster(Cluster cluster, List<Violation> violations)
    {
        var isStatic = cluster.ClusterDiscoveryTypeCase == global::Envoy.Config.Cluster.V3.Cluster.ClusterDiscoveryTypeOneofCase.Type
            && cluster.Type == global::Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.Static;
        if (isStatic && cluster.LoadAssignment is { } assignment)
        {
            Endpoints(assignment, "load_assignment.", violations);
            Weights(cluster, assignment, "load_assignment.", violations);
        }
    }

    /// <summary>An EDS assignment; <paramref name="owner"/> is the cluster it is for, when known (its policy decides the weight checks).</summary>
    public static void Assignment(ClusterLoadAssignment assignment, Cluster? owner, List<Violation> violations)
    {
        Endpoints(assignment, "", violations);
        if (owner is not null)
            Weights(owner, assignment, "", violations);
    }

    private static void Endpoints(ClusterLoadAssignment assignment, string prefix, List<Violation> violations)
    {
        for (var l = 0; l < assignment.Endpoints.Count; l++)
        {
            var locality = assignment.Endpoints[l];
            for (var e = 0; e < locality.LbEndpoints.Count; e++)
            {
                var endpoint = locality.LbEndpoints[e].Endpoint;
                if (endpoint is null)
                    continue;
                // Paths are spelled out only for a violation: 100 000 endpoints would make 200 000 strings.
                if (endpoint.Address is { } address && !IsIp(address))
                    violations.Add(Malformed($"{prefix}endpoints[{l}].lb_endpoints[{e}].endpoint.address", address));
                for (var a = 0; a < endpoint.AdditionalAddresses.Count; a++)
                {
                    if (endpoint.AdditionalAddresses[a].Address is { } extra && !IsIp(extra))
                        violations.Add(Malformed($"{prefix}endpoints[{l}].lb_endpoints[{e}].endpoint.additional_addresses[{a}].address", extra));
                }
            }
        }
    }

    /// <summary>False only for a socket address Envoy would read as an IP literal and cannot.</summary>
    private static bool IsIp(Address address)
    {
        if (address.AddressCase != global::Envoy.Config.Core.V3.Address.AddressOneofCase.SocketAddress)
            return true; // pipes and internal addresses are not IPs
        var socket = address.SocketAddress;
        if (socket.ResolverName.Length > 0)
            return true; // a custom resolver reads the address its own way
        return EnvoyAddresses.IsIpLiteral(socket.Address);
    }

    private static Violation Malformed(string path, Address address) =>
        new(path + ".socket_address.address", $"malformed IP address: {address.SocketAddress.Address}");

    private static void Weights(Cluster cluster, ClusterLoadAssignment assignment, string prefix, List<Violation> violations)
    {
        if (!IsThreadAware(cluster))
            return;
        var localityWeighted = cluster.CommonLbConfig?.LocalityWeightedLbConfig is not null;
        foreach (var priority in Enumerable.Range(0, assignment.Endpoints.Count).GroupBy(i => assignment.Endpoints[i].Priority))
        {
            ulong hosts = 0, localities = 0;
            foreach (var l in priority)
            {
                var locality = assignment.Endpoints[l];
                if (localityWeighted)
                {
                    hosts = 0; // per locality
                    localities += locality.LoadBalancingWeight ?? 0;
                    if (localities > uint.MaxValue)
                    {
                        violations.Add(new Violation($"{prefix}endpoints[{l}].load_balancing_weight", LocalitySum));
                        return;
                    }
                }
                foreach (var endpoint in locality.LbEndpoints)
                    hosts += endpoint.LoadBalancingWeight ?? 1;
                if (hosts > uint.MaxValue)
                {
                    violations.Add(new Violation($"{prefix}endpoints[{l}].lb_endpoints", HostSum));
                    return;
                }
            }
        }
    }

    /// <summary>RING_HASH or MAGLEV, by lb_policy or by a load_balancing_policy extension.</summary>
    private static bool IsThreadAware(Cluster cluster)
    {
        if (cluster.LbPolicy is global::Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.RingHash or global::Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.Maglev)
            return true;
        var first = cluster.LoadBalancingPolicy?.Policies.FirstOrDefault()?.TypedExtensionConfig?.TypedConfig?.TypeUrl ?? "";
        return first.EndsWith(".RingHash", StringComparison.Ordinal) || first.EndsWith(".Maglev", StringComparison.Ordinal);
    }
}
