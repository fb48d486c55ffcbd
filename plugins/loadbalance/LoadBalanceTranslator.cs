using System.Net;
using Envoy.Config.Cluster.V3;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.LoadBalance;

/// <summary>
/// Every cluster becomes a policy and one weighted schedule per address family; the kernel
/// then picks an endpoint with a single lookup per connect. The schedule's weights carry
/// Envoy's priority failover, locality weights and endpoint weights (<see cref="ClusterEndpoints"/>).
/// </summary>
public sealed class LoadBalanceTranslator : ITranslator
{
    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
        // Schedules first: a cluster entry must never point at slots that are not there yet.
        var schedule = output.Map<LbSlotKey, LbEndpointEntry>(LoadBalanceMaps.Schedule);
        var clusters = output.Map<uint, LbClusterEntry>(LoadBalanceMaps.Clusters);
        foreach (var (name, cluster) in snapshot.Clusters)
        {
            var resource = $"cluster {name}";
            var id = snapshot.Ids.ClusterId(name);
            // Envoy looks at locality weights only when the cluster asks for locality-weighted balancing.
            var localityWeighted = cluster.CommonLbConfig?.LocalityWeightedLbConfig is not null;
            var assignment = snapshot.Endpoints.GetValueOrDefault(name);
            var endpoints = ClusterEndpoints.Usable(name, assignment, localityWeighted, output);
            var entry = new LbClusterEntry { Policy = PolicyOf(cluster, resource, output) };
            entry.LengthV4 = WriteSchedule(schedule, snapshot, id, LbFamily.V4, ClusterEndpoints.ForIPv4(endpoints), resource, output);
            entry.LengthV6 = WriteSchedule(schedule, snapshot, id, LbFamily.V6, ClusterEndpoints.ForIPv6(endpoints), resource, output);
            clusters.Set(id, entry);
            LoadBalanceFacts.Report(output, resource, cluster, entry.Policy, assignment, endpoints, localityWeighted);
        }
    }

    private static uint WriteSchedule(DesiredMap<LbSlotKey, LbEndpointEntry> schedule, MeshSnapshot snapshot, uint clusterId,
        LbFamily family, List<WeightedEndpoint> endpoints, string resource, TranslationOutput output)
    {
        if (endpoints.Count == 0)
            return 0;
        if (endpoints.Count > LoadBalanceMaps.MaxSchedule)
        {
            output.Warn(resource, "load_assignment", $"{endpoints.Count} endpoints; only the first {LoadBalanceMaps.MaxSchedule} are used");
            endpoints = endpoints.Take(LoadBalanceMaps.MaxSchedule).ToList();
        }
        var slots = WeightedSchedule.Build(endpoints.Select(e => e.Weight).ToArray(), LoadBalanceMaps.MaxSchedule);
        for (var slot = 0; slot < slots.Length; slot++)
        {
            var endpoint = endpoints[slots[slot]];
            schedule.Set(new LbSlotKey(clusterId, family, (uint)slot), new LbEndpointEntry
            {
                Address = KmAddr.From(endpoint.Address),
                EndpointId = snapshot.Ids.EndpointId(Unmapped(endpoint.Address)),
            });
        }
        return (uint)slots.Length;
    }

    // An IPv4 backend reached by IPv6 connects (as ::ffff:a.b.c.d) is still the same endpoint: one id.
    private static IPEndPoint Unmapped(IPEndPoint endpoint) => endpoint.Address.IsIPv4MappedToIPv6
        ? new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port)
        : endpoint;

    private static LbPolicy PolicyOf(Cluster cluster, string resource, TranslationOutput output)
    {
        if (cluster.LoadBalancingPolicy is not null)
        {
            // It supersedes lb_policy, so lb_policy is not looked at.
            output.Warn(resource, "load_balancing_policy", "typed load-balancing policies are not supported yet; using ROUND_ROBIN");
            return LbPolicy.RoundRobin;
        }
        switch (cluster.LbPolicy)
        {
            case Cluster.Types.LbPolicy.RoundRobin:
                return LbPolicy.RoundRobin;
            case Cluster.Types.LbPolicy.Random:
                return LbPolicy.Random;
            default:
                output.Warn(resource, "lb_policy", $"{cluster.LbPolicy} is not supported yet; using ROUND_ROBIN");
                return LbPolicy.RoundRobin;
        }
    }
}
