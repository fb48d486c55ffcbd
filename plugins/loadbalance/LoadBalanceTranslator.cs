using System.Net;
using Envoy.Config.Cluster.V3;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.LoadBalance;

/// <summary>
/// Every cluster becomes a policy and one table per address family; the kernel then picks an
/// endpoint with a single lookup per connect (a few for LEAST_REQUEST). The tables' weights
/// carry Envoy's priority failover, locality weights and endpoint weights
/// (<see cref="ClusterEndpoints"/>): a weighted schedule for ROUND_ROBIN, RANDOM and
/// LEAST_REQUEST, a consistent-hash table for RING_HASH (<see cref="RingHashTable"/>) and
/// MAGLEV (<see cref="MaglevTable"/>).
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
            var policy = ClusterPolicy.Of(cluster, resource, output);
            if (policy is null)
                continue; // invalid: reported, and the cluster is left out
            var id = snapshot.Ids.ClusterId(name);
            // Envoy looks at locality weights only when the cluster asks for locality-weighted balancing.
            var localityWeighted = policy.LocalityWeighted || cluster.CommonLbConfig?.LocalityWeightedLbConfig is not null;
            var assignment = snapshot.Endpoints.GetValueOrDefault(name);
            var endpoints = ClusterEndpoints.Usable(name, assignment, localityWeighted, output);
            var entry = new LbClusterEntry
            {
                Policy = policy.Policy,
                ChoiceCount = policy.ChoiceCount,
                Flags = cluster.OutlierDetection is null ? LbFlags.None : LbFlags.OutlierDetection,
            };
            entry.LengthV4 = WriteTable(schedule, snapshot, id, LbFamily.V4, ClusterEndpoints.ForIPv4(endpoints), policy.Table, resource, output);
            entry.LengthV6 = WriteTable(schedule, snapshot, id, LbFamily.V6, ClusterEndpoints.ForIPv6(endpoints), policy.Table, resource, output);
            clusters.Set(id, entry);
            LoadBalanceFacts.Report(output, resource, cluster, policy.Describe(), assignment, endpoints, localityWeighted);
        }
    }

    private static uint WriteTable(DesiredMap<LbSlotKey, LbEndpointEntry> schedule, MeshSnapshot snapshot, uint clusterId,
        LbFamily family, List<WeightedEndpoint> endpoints, HashTableSpec? table, string resource, TranslationOutput output)
    {
        if (endpoints.Count == 0)
            return 0;
        if (table is not null)
            return WriteEntries(schedule, snapshot, clusterId, family, endpoints, HashTable(endpoints, table));
        if (endpoints.Count > LoadBalanceMaps.MaxSchedule)
        {
            output.Warn(resource, "load_assignment", $"{endpoints.Count} endpoints; only the first {LoadBalanceMaps.MaxSchedule} are used");
            endpoints = endpoints.Take(LoadBalanceMaps.MaxSchedule).ToList();
        }
        var slots = WeightedSchedule.Build(endpoints.Select(e => e.Weight).ToArray(), LoadBalanceMaps.MaxSchedule);
        return WriteEntries(schedule, snapshot, clusterId, family, endpoints, slots);
    }

    private static int[] HashTable(List<WeightedEndpoint> endpoints, HashTableSpec table)
    {
        // Hashed by the endpoint's own address (v4-mapped ones as IPv4): the same endpoint
        // takes the same entries in both families. Built in address order, so the order a
        // control plane lists endpoints in never moves a client.
        var order = Enumerable.Range(0, endpoints.Count)
            .OrderBy(i => Unmapped(endpoints[i].Address).ToString(), StringComparer.Ordinal).ToArray();
        var keys = order.Select(i => Unmapped(endpoints[i].Address).ToString()).ToArray();
        var weights = order.Select(i => endpoints[i].Weight).ToArray();
        var entries = table switch
        {
            RingHashSpec ring => RingHashTable.Build(keys, weights, ring.MaximumRingSize, ring.TableSize),
            MaglevSpec maglev => MaglevTable.Build(keys, weights, maglev.TableSize),
            _ => throw new ArgumentOutOfRangeException(nameof(table)),
        };
        return entries.Select(e => order[e]).ToArray();
    }

    private static uint WriteEntries(DesiredMap<LbSlotKey, LbEndpointEntry> schedule, MeshSnapshot snapshot, uint clusterId,
        LbFamily family, List<WeightedEndpoint> endpoints, int[] slots)
    {
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
}
