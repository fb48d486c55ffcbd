using System.Net;
using Envoy.Config.Core.V3;
using SocketAddress = Envoy.Config.Core.V3.SocketAddress;
using Envoy.Config.Listener.V3;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.Routing;

/// <summary>
/// Listeners bound to a VIP:port become routes: the VIP:port (IPv4 or IPv6, the listener's
/// address and its additional addresses) maps to the cluster, or to weighted clusters for
/// a gray release, that its tcp_proxy (or single-target HTTP routes) names. Wildcard HTTP
/// listeners (Istio's <c>0.0.0.0_PORT</c>) route the VIPs their virtual hosts' domains name:
/// see <see cref="WildcardHttpRoutes"/>. Each route also carries the chain slots that have
/// nothing configured for its service (<see cref="ChainWork"/>, chain ABI 1.4).
/// </summary>
public sealed class RoutingTranslator : IIncrementalTranslator, IChainWorkReader, IConfigurable
{
    /// <summary><c>--plugin-arg routing.waypoint=IP</c> (what <c>kmesh run --waypoint IP</c> sets): steer L7 services there.</summary>
    public const string WaypointArgument = "waypoint";

    private IPAddress? _waypoint;

    /// <inheritdoc />
    public void Configure(PluginArguments arguments)
    {
        arguments.RejectUnknown(WaypointArgument);
        var values = arguments.All(WaypointArgument);
        if (values.Count > 1)
            throw new ArgumentException($"{WaypointArgument} is given {values.Count} times; the node has one waypoint");
        if (values.Count == 1 && (!IPAddress.TryParse(values[0], out var ip) || ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
            throw new ArgumentException($"{WaypointArgument}={values[0]}: expected the waypoint's IP address");
        _waypoint = values.Count == 1 ? IPAddress.Parse(values[0]) : null;
    }

    /// <summary>
    /// Reads only listeners and route configurations (and the ids of the clusters they name), never endpoints: an endpoint change leaves its maps as they are. Any
    /// other change is translated in full.
    /// </summary>
    public bool TranslateChanges(MeshSnapshot snapshot, MeshChanges changes, TranslationDelta delta) => changes.OnlyEndpoints;

    private const byte IpProtoTcp = 6;

    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
        var routes = output.Map<RouteKey, RouteValue>(RoutingMaps.Routes);
        WriteWaypoint(output);
        var owners = new Dictionary<KmAddr, string>();
        var explicitVips = new Dictionary<KmAddr, string>();
        var wildcards = new List<WildcardHttpListener>();
        foreach (var listener in snapshot.Listeners)
        {
            var resource = ResourceRef.Listener(listener.Name);
            var wildcardAddresses = new List<(string Field, int Port)>();
            var vips = ServiceAddresses(listener, resource, output, wildcardAddresses);
            if (vips.Count == 0 && wildcardAddresses.Count > 0)
            {
                // Istio's 0.0.0.0_PORT: its HTTP routes name the services' VIPs in their domains.
                var ports = wildcardAddresses.Select(a => a.Port).Where(p => p is > 0 and <= 65535).Distinct().ToArray();
                var chains = ports.Length == 0 ? [] : WildcardHttpRoutes.HttpChains(listener, resource, output);
                if (chains.Count > 0)
                {
                    wildcards.Add(new WildcardHttpListener(listener, resource, ports, chains));
                    continue;
                }
            }
            foreach (var (field, _) in wildcardAddresses)
                output.Info(resource, field + ".socket_address.address", "a wildcard address catches every destination, it is not a service VIP; skipped");
            if (vips.Count == 0)
                continue;
            // Envoy gives a connect to the listener bound to its exact address, even one we cannot route.
            foreach (var vip in vips)
                explicitVips.TryAdd(vip, listener.Name);
            var target = _waypoint is not null && HttpVirtualHosts.ReachableManagers(listener).Any(m => WaypointSteering.Wants(m.Hcm, snapshot, listener))
                ? ServiceTarget.Waypoint
                : ListenerTargetResolver.Resolve(listener, snapshot, output);
            if (target is null)
                continue;
            var value = BuildRoute(snapshot.Ids.ServiceId(listener.Name), target, snapshot, output.ChainWork);
            foreach (var vip in vips)
            {
                if (owners.TryGetValue(vip, out var owner))
                {
                    output.Error(resource, "address", $"{vip} is already the address of listener {owner}; left out");
                    continue;
                }
                owners.Add(vip, listener.Name);
                routes.Set(RouteKey.From(vip, IpProtoTcp), value);
                output.Applied(resource, "", AppliedKind.Vip, $"{vip} → {target.Describe()}");
            }
        }
        // After every VIP listener: an explicit listener on a VIP:port wins over a domain naming it.
        foreach (var (key, serviceId, target, resource, domainField) in WildcardHttpRoutes.Translate(wildcards, snapshot, explicitVips, output, steer: _waypoint is not null))
        {
            routes.Set(RouteKey.From(key, IpProtoTcp), BuildRoute(serviceId, target, snapshot, output.ChainWork));
            output.Applied(resource, domainField, AppliedKind.Vip, $"{key} → {target.Describe()}");
        }
    }

    /// <summary>The waypoint's address per hook family; nothing without <c>--waypoint</c> (no route carries the flag then).</summary>
    private void WriteWaypoint(TranslationOutput output)
    {
        var map = output.Map<uint, KmAddr>(RoutingMaps.Waypoint);
        if (_waypoint is null)
            return;
        var (v4, v6) = WaypointSteering.Addresses(_waypoint);
        if (v4 is not null)
            map.Set(0u, KmAddr.From(v4, 0));
        map.Set(1u, KmAddr.From(v6, 0));
    }

    private static RouteValue BuildRoute(uint serviceId, ServiceTarget target, MeshSnapshot snapshot, ChainWork work)
    {
        var value = new RouteValue { ServiceId = serviceId };
        if (target.ToWaypoint)
        {
            value.Flags = RoutingMaps.WaypointFlag;
            return value;
        }
        uint upper = 0;
        var count = 0;
        var clusterIds = new List<uint>(target.Clusters.Count);
        foreach (var (cluster, weight) in target.Clusters)
        {
            if (weight == 0)
                continue;
            upper += weight;
            var clusterId = snapshot.Ids.ClusterId(cluster);
            clusterIds.Add(clusterId);
            value.Clusters[count++] = new RouteCluster { ClusterId = clusterId, Upper = upper };
        }
        value.Count = (uint)count;
        value.TotalWeight = upper;
        // The later plugins with nothing for this service nor for any cluster it may pick: each
        // connect passes over them (the mask is read before the pick, so it covers all of them).
        value.SkipSlots4 = work.SkipSlots(serviceId, clusterIds, ChainHook.Connect4);
        value.SkipSlots6 = work.SkipSlots(serviceId, clusterIds, ChainHook.Connect6);
        return value;
    }

    private static List<KmAddr> ServiceAddresses(Listener listener, ResourceRef resource, TranslationOutput output, List<(string Field, int Port)> wildcards)
    {
        var result = new List<KmAddr>();
        AddAddress(listener.Address, "address", resource, output, result, wildcards);
        for (var i = 0; i < listener.AdditionalAddresses.Count; i++)
            AddAddress(listener.AdditionalAddresses[i].Address, $"additional_addresses[{i}].address", resource, output, result, wildcards);
        return result;
    }

    /// <summary>Adds a VIP:port to <paramref name="result"/>; a wildcard address goes to <paramref name="wildcards"/>, unreported.</summary>
    private static void AddAddress(Address? address, string field, ResourceRef resource, TranslationOutput output, List<KmAddr> result, List<(string Field, int Port)> wildcards)
    {
        if (address is null)
        {
            // Internal listeners (Istio ambient, envoy internal) have none: not a service, not an error.
            output.Info(resource, field, "the listener has no address, so it is not a connect-time service; skipped");
            return;
        }
        if (address.AddressCase != Address.AddressOneofCase.SocketAddress)
        {
            output.Warn(resource, field, $"a {address.AddressCase} address is not a service VIP; skipped");
            return;
        }
        var socket = address.SocketAddress;
        if (socket.Protocol != SocketAddress.Types.Protocol.Tcp)
        {
            output.Warn(resource, field + ".socket_address.protocol", "only TCP services are routed at connect time; skipped");
            return;
        }
        if (!IPAddress.TryParse(socket.Address, out var ip))
        {
            output.Error(resource, field + ".socket_address.address", $"'{socket.Address}' is not an IP address");
            return;
        }
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            var port = socket.PortSpecifierCase == SocketAddress.PortSpecifierOneofCase.PortValue ? (int)Math.Min(socket.PortValue, int.MaxValue) : 0;
            wildcards.Add((field, port));
            return;
        }
        if (socket.PortSpecifierCase != SocketAddress.PortSpecifierOneofCase.PortValue || socket.PortValue is 0 or > 65535)
        {
            output.Warn(resource, field + ".socket_address.port_value", "a service needs a port number between 1 and 65535; skipped");
            return;
        }
        result.Add(KmAddr.From(ip, (int)socket.PortValue));
    }
}
