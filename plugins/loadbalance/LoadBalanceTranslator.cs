using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.LoadBalance;

/// <summary>
/// Every cluster becomes a policy and one table per address family, held in the cluster's own
/// record when small enough (<see cref="LoadBalanceMaps.InlineSlots"/>) and in lb_schedule
/// otherwise; the kernel then picks an endpoint with one lookup per connect for a small cluster,
/// two or three for a large one (a few more for LEAST_REQUEST). The tables'
/// weights carry Envoy's priority failover, locality weights and endpoint weights
/// (<see cref="ClusterEndpoints"/>): for ROUND_ROBIN, RANDOM and LEAST_REQUEST a weighted
/// schedule (<see cref="WeightedSchedule"/>) or, for weights that do not fit one, an alias table
/// (<see cref="AliasTable"/>); a consistent-hash table for RING_HASH (<see cref="RingHashTable"/>)
/// and MAGLEV (<see cref="MaglevTable"/>).
/// </summary>
/// <remarks>
/// Every config change hands over the whole mesh, yet usually few clusters changed: each
/// cluster's result is kept (<see cref="ClusterTranslation"/>) and written out again while its
/// Cluster, its endpoints and its ids stay the same. The output stays a function of the
/// snapshot alone, byte for byte what a fresh translator gives. A change set
/// (<see cref="TranslateChanges"/>) re-translates only the clusters it names, whether their
/// Cluster or their endpoints changed: one EDS update, one cluster's entries.
/// </remarks>
public sealed class LoadBalanceTranslator : IIncrementalTranslator
{
    /// <summary>
    /// Map entries kept across translations at most. The entries' bytes are the ones handed to
    /// the core (which keeps them as the applied state), so what the memory costs on its own is
    /// an index of about 30 bytes per entry: 2M entries (64 MB) is 100 000 clusters of ten
    /// endpoints, or 250 MAGLEV clusters of the default table.
    /// </summary>
    internal const int MaxKeptEntries = 1 << 21;

    private Dictionary<string, ClusterTranslation>? _previous;
    // True when _previous holds every cluster of the last translation (none was left out for the budget).
    private bool _complete;

    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
        // Taken, not shared: a translation running at the same time (a config check) starts cold instead of racing.
        var previous = Interlocked.Exchange(ref _previous, null);
        var kept = new Dictionary<string, ClusterTranslation>(StringComparer.Ordinal);
        var budget = MaxKeptEntries;
        // Schedules first: a cluster entry must never point at slots that are not there yet.
        var schedule = output.Map<LbSlotKey, LbEndpointEntry>(LoadBalanceMaps.Schedule);
        var clusters = output.Map<uint, LbClusterEntry>(LoadBalanceMaps.Clusters);
        foreach (var (name, cluster) in snapshot.Clusters)
        {
            var assignment = snapshot.Endpoints.GetValueOrDefault(name);
            if (previous is null || !previous.TryGetValue(name, out var translated) || !translated.Matches(name, cluster, assignment, snapshot.Ids))
                translated = TranslateCluster(name, cluster, assignment, snapshot.Ids);
            translated.WriteTo(schedule, clusters, output);
            if (translated.EntryCount <= budget)
            {
                kept[name] = translated;
                budget -= translated.EntryCount;
            }
        }
        // Clusters no longer in the snapshot are forgotten here.
        _complete = kept.Count == snapshot.Clusters.Count;
        Volatile.Write(ref _previous, kept);
    }

    /// <inheritdoc />
    public bool TranslateChanges(MeshSnapshot snapshot, MeshChanges changes, TranslationDelta delta)
    {
        var previous = Interlocked.Exchange(ref _previous, null);
        if (previous is null)
            return false;
        if (!_complete)
        {
            // What a left-out cluster wrote is not known here: the full path knows.
            Volatile.Write(ref _previous, previous);
            return false;
        }
        var schedule = delta.Map<LbSlotKey, LbEndpointEntry>(LoadBalanceMaps.Schedule);
        var clusters = delta.Map<uint, LbClusterEntry>(LoadBalanceMaps.Clusters);
        foreach (var name in changes.Clusters.Concat(changes.Endpoints).Distinct(StringComparer.Ordinal))
        {
            previous.TryGetValue(name, out var before);
            ClusterTranslation? now = null;
            if (snapshot.Clusters.TryGetValue(name, out var cluster))
            {
                var assignment = snapshot.Endpoints.GetValueOrDefault(name);
                now = before is not null && before.Matches(name, cluster, assignment, snapshot.Ids)
                    ? before
                    : TranslateCluster(name, cluster, assignment, snapshot.Ids);
            }
            // The old entries go, the new ones come (a key in both is simply set again: the core writes only what differs).
            before?.RemoveFrom(schedule, clusters);
            now?.WriteTo(schedule, clusters, delta.Findings);
            delta.Retranslated(ResourceRef.Cluster(name));
            if (now is null)
                previous.Remove(name);
            else
                previous[name] = now;
        }
        Volatile.Write(ref _previous, previous);
        return true;
    }

    private static ClusterTranslation TranslateCluster(string name, Cluster cluster, ClusterLoadAssignment? assignment, IMeshIds ids)
    {
        // This cluster's findings and facts on their own, to be reported again while it stays the same.
        var findings = new TranslationOutput();
        var resource = ResourceRef.Cluster(name);
        var policy = ClusterPolicy.Of(cluster, resource, findings);
        if (policy is null)
            return new ClusterTranslation(cluster, assignment, null, null, null, findings); // invalid: reported, and the cluster is left out
        var id = ids.ClusterId(name);
        // Envoy looks at locality weights only when the cluster asks for locality-weighted balancing.
        var localityWeighted = policy.LocalityWeighted || cluster.CommonLbConfig?.LocalityWeightedLbConfig is not null;
        var endpoints = ClusterEndpoints.Usable(name, assignment, localityWeighted, findings);
        policy = policy.SizedFor(endpoints.Count, resource, findings);
        var schedule = new ScheduleWriter(id, ids);
        var entry = new LbClusterEntry
        {
            Policy = policy.Policy,
            ChoiceCount = policy.ChoiceCount,
            Flags = cluster.OutlierDetection is null ? LbFlags.None : LbFlags.OutlierDetection,
        };
        entry.LengthV4 = WriteTable(schedule, LbFamily.V4, ClusterEndpoints.ForIPv4(endpoints), policy.Table, resource, findings);
        entry.LengthV6 = WriteTable(schedule, LbFamily.V6, ClusterEndpoints.ForIPv6(endpoints), policy.Table, resource, findings);
        schedule.FillInline(ref entry);
        LoadBalanceFacts.Report(findings, resource, cluster, policy.Describe(), assignment, endpoints, localityWeighted);
        var clusterEntry = (new MapKey(ScheduleWriter.Bytes(id)), ScheduleWriter.Bytes(entry));
        return new ClusterTranslation(cluster, assignment, id, schedule, clusterEntry, findings);
    }

    private static uint WriteTable(ScheduleWriter schedule, LbFamily family, List<WeightedEndpoint> endpoints, HashTableSpec? table,
        ResourceRef resource, TranslationOutput output)
    {
        if (endpoints.Exists(e => e.Weight == 0))
            endpoints = endpoints.FindAll(e => e.Weight > 0); // the list is shared with the other family's table: filtered as a copy
        if (endpoints.Count == 0)
            return 0;
        if (table is not null)
            return schedule.Write(family, endpoints, HashTable(endpoints, table));
        if (endpoints.Count > LoadBalanceMaps.MaxEndpoints)
        {
            output.Error(resource, "load_assignment",
                $"{endpoints.Count} {(family == LbFamily.V4 ? "IPv4" : "IPv6")} endpoints; a cluster balances over at most {LoadBalanceMaps.MaxEndpoints} per address family");
            return 0;
        }
        var weights = endpoints.Select(e => e.Weight).ToArray();
        // Exact weights either way: a schedule when they fit its slots (a smooth round-robin
        // order), an alias table, one column per endpoint, when they do not.
        if (WeightedSchedule.Fits(weights, LoadBalanceMaps.MaxSchedule))
            return schedule.Write(family, endpoints, WeightedSchedule.Build(weights, LoadBalanceMaps.MaxSchedule));
        return schedule.Write(family, endpoints, AliasTable.Build(weights));
    }

    private static int[] HashTable(List<WeightedEndpoint> endpoints, HashTableSpec table)
    {
        // Hashed by the endpoint's own address (v4-mapped ones as IPv4): the same endpoint
        // takes the same entries in both families. Built in address order, so the order a
        // control plane lists endpoints in never moves a client.
        var order = Enumerable.Range(0, endpoints.Count)
            .OrderBy(i => endpoints[i].Own.ToString(), StringComparer.Ordinal).ToArray();
        var keys = order.Select(i => endpoints[i].Own.ToString()).ToArray();
        var weights = order.Select(i => endpoints[i].Weight).ToArray();
        var entries = table switch
        {
            RingHashSpec ring => RingHashTable.Build(keys, weights, ring.MaximumRingSize, ring.TableSize),
            MaglevSpec maglev => MaglevTable.Build(keys, weights, maglev.TableSize),
            _ => throw new ArgumentOutOfRangeException(nameof(table)),
        };
        return entries.Select(e => order[e]).ToArray();
    }
}
