using System.Net;
using System.Net.Sockets;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Route.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using Kmesh.Xds;

namespace Kmesh.Core.Mesh;

/// <summary>
/// Turns the resources of a config source into the snapshot translators read, resolving
/// each cluster's endpoints the way its discovery type says: EDS from the
/// ClusterLoadAssignment, STATIC from <c>load_assignment</c>, STRICT_DNS and LOGICAL_DNS
/// from the daemon's DNS cache.
/// </summary>
public static class SnapshotBuilder
{
    /// <summary>Builds the snapshot; findings about unsupported parts go to <paramref name="diagnostics"/>.</summary>
    /// <remarks>
    /// With <paramref name="previous"/> (a snapshot this builder made), the new snapshot is derived
    /// from it when only ClusterLoadAssignments and RouteConfigurations were replaced (same names,
    /// same order; every listener and cluster the same object, as a delta ADS client or a re-read
    /// of unchanged files keeps them): the listeners and clusters are shared and only the replaced
    /// entries are written into copies of the endpoint and route dictionaries. The result is equal
    /// to a build from scratch; anything else (a cluster or listener changed, DNS clusters, findings
    /// in the previous build, duplicate names) is a build from scratch.
    /// </remarks>
    public static MeshSnapshot Build(EnvoyResources resources, string version, DnsCache dns, IMeshIds ids, List<TranslationDiagnostic> diagnostics, MeshSnapshot? previous = null)
    {
        if (previous is not null && States.TryGetValue(previous, out var before) && Derive(before, previous, resources, version, ids) is { } derived)
            return derived;

        var assignments = new Dictionary<string, ClusterLoadAssignment>(StringComparer.Ordinal);
        foreach (var assignment in resources.Endpoints)
            assignments[assignment.ClusterName] = assignment;

        var found = diagnostics.Count;
        var endpoints = new Dictionary<string, ClusterLoadAssignment>(StringComparer.Ordinal);
        var derivable = true;
        foreach (var cluster in resources.Clusters)
        {
            derivable &= !IsDns(cluster);
            var resolved = Resolve(cluster, assignments, dns, diagnostics);
            if (resolved is not null)
                endpoints[cluster.Name] = resolved;
        }
        var clusters = ByName(resources.Clusters, c => c.Name);
        var routes = ByName(resources.Routes, r => r.Name);
        var snapshot = MeshSnapshot.Sharing(version, resources.Listeners.ToArray(), clusters, endpoints, routes, ids);
        // Derivable later: no DNS cluster (its endpoints come from the cache, not the resources), no
        // finding (a derived build makes none), no duplicate names (a later one shadows an earlier).
        derivable &= diagnostics.Count == found
            && clusters.Count == resources.Clusters.Count
            && assignments.Count == resources.Endpoints.Count
            && routes.Count == resources.Routes.Count;
        if (derivable)
            States.AddOrUpdate(snapshot, new BuildState(resources, endpoints, routes, null, null));
        return snapshot;
    }

    /// <summary>
    /// What changed from <paramref name="before"/> to <paramref name="after"/> when <paramref name="after"/>
    /// was derived from it (see <see cref="Build"/>); null otherwise.
    /// </summary>
    internal static MeshChanges? DerivedChanges(MeshSnapshot before, MeshSnapshot after)
    {
        if (!States.TryGetValue(after, out var state) || state.Derived is not { } derived
            || !derived.From.TryGetTarget(out var from) || !ReferenceEquals(from, before))
            return null;
        return new MeshChanges([],
            [],
            MeshDiff.Changed(before.Endpoints, after.Endpoints, derived.Endpoints),
            MeshDiff.Changed(before.Routes, after.Routes, derived.Routes));
    }

    /// <summary>True when <paramref name="snapshot"/> was derived from the previous one (its build cost what it replaced, not the whole mesh).</summary>
    internal static bool IsDerived(MeshSnapshot snapshot) => States.TryGetValue(snapshot, out var state) && state.Derived is not null;

    private sealed record Derivation(WeakReference<MeshSnapshot> From, List<string> Endpoints, List<string> Routes);

    /// <summary>What a build keeps to derive the next one: its input and its (never modified) dictionaries.</summary>
    private sealed class BuildState(EnvoyResources resources, Dictionary<string, ClusterLoadAssignment> endpoints,
        Dictionary<string, RouteConfiguration> routes, Dictionary<string, List<string>>? byServiceName, Derivation? derived)
    {
        public EnvoyResources Resources { get; } = resources;
        public Dictionary<string, ClusterLoadAssignment> Endpoints { get; } = endpoints;
        public Dictionary<string, RouteConfiguration> Routes { get; } = routes;
        /// <summary>EDS service name → the clusters it resolves (built on first derivation, shared while the clusters are).</summary>
        public Dictionary<string, List<string>>? ByServiceName { get; set; } = byServiceName;
        public Derivation? Derived { get; } = derived;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<MeshSnapshot, BuildState> States = new();

    private static MeshSnapshot? Derive(BuildState before, MeshSnapshot previous, EnvoyResources resources, string version, IMeshIds ids)
    {
        var old = before.Resources;
        if (!ReferenceEquals(previous.Ids, ids)
            || !SameObjects(old.Listeners, resources.Listeners)
            || !SameObjects(old.Clusters, resources.Clusters)
            || Replaced(old.Endpoints, resources.Endpoints, a => a.ClusterName) is not { } assignments
            || Replaced(old.Routes, resources.Routes, r => r.Name) is not { } replacedRoutes)
            return null;

        var endpoints = before.Endpoints;
        var changedEndpoints = new List<string>();
        if (assignments.Count > 0)
        {
            var byServiceName = before.ByServiceName ??= ByServiceName(previous.Clusters.Values);
            endpoints = new Dictionary<string, ClusterLoadAssignment>(before.Endpoints, StringComparer.Ordinal);
            foreach (var index in assignments)
            {
                var assignment = resources.Endpoints[index];
                if (!byServiceName.TryGetValue(assignment.ClusterName, out var clusters))
                    continue;
                foreach (var cluster in clusters)
                {
                    endpoints[cluster] = assignment;
                    changedEndpoints.Add(cluster);
                }
            }
        }
        var routes = before.Routes;
        var changedRoutes = new List<string>();
        if (replacedRoutes.Count > 0)
        {
            routes = new Dictionary<string, RouteConfiguration>(before.Routes, StringComparer.Ordinal);
            foreach (var index in replacedRoutes)
            {
                var route = resources.Routes[index];
                routes[route.Name] = route;
                changedRoutes.Add(route.Name);
            }
        }
        var snapshot = MeshSnapshot.Sharing(version, previous.Listeners, previous.Clusters, endpoints, routes, ids, previous.ListenersByName);
        States.AddOrUpdate(snapshot, new BuildState(resources, endpoints, routes, before.ByServiceName,
            new Derivation(new WeakReference<MeshSnapshot>(previous), changedEndpoints, changedRoutes)));
        return snapshot;
    }

    private static bool SameObjects<T>(IReadOnlyList<T> before, IReadOnlyList<T> after) where T : class
    {
        if (ReferenceEquals(before, after))
            return true;
        if (before.Count != after.Count)
            return false;
        for (var i = 0; i < before.Count; i++)
        {
            if (!ReferenceEquals(before[i], after[i]))
                return false;
        }
        return true;
    }

    /// <summary>
    /// The indices where <paramref name="after"/> holds another object of the same name as
    /// <paramref name="before"/>; null when the names or their order differ, or most entries changed
    /// (a build from scratch is as cheap then).
    /// </summary>
    private static List<int>? Replaced<T>(IReadOnlyList<T> before, IReadOnlyList<T> after, Func<T, string> name) where T : class
    {
        var replaced = new List<int>();
        if (ReferenceEquals(before, after))
            return replaced;
        if (before.Count != after.Count)
            return null;
        for (var i = 0; i < before.Count; i++)
        {
            if (ReferenceEquals(before[i], after[i]))
                continue;
            if (!string.Equals(name(before[i]), name(after[i]), StringComparison.Ordinal) || replaced.Count >= before.Count / 4 + 8)
                return null;
            replaced.Add(i);
        }
        return replaced;
    }

    private static Dictionary<string, List<string>> ByServiceName(IEnumerable<Cluster> clusters)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var cluster in clusters)
        {
            if (cluster.ClusterDiscoveryTypeCase != Cluster.ClusterDiscoveryTypeOneofCase.Type || cluster.Type != Cluster.Types.DiscoveryType.Eds)
                continue;
            var serviceName = string.IsNullOrEmpty(cluster.EdsClusterConfig?.ServiceName) ? cluster.Name : cluster.EdsClusterConfig.ServiceName;
            if (!result.TryGetValue(serviceName, out var names))
                result[serviceName] = names = [];
            names.Add(cluster.Name);
        }
        return result;
    }

    private static Dictionary<string, T> ByName<T>(IEnumerable<T> items, Func<T, string> name)
    {
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
            result[name(item)] = item;
        return result;
    }

    /// <summary>Host names the DNS clusters need resolved.</summary>
    public static IEnumerable<string> DnsNames(EnvoyResources resources) =>
        resources.Clusters.Where(IsDns).SelectMany(c => c.LoadAssignment?.Endpoints.SelectMany(l => l.LbEndpoints) ?? [])
            .Select(e => e.Endpoint?.Address?.SocketAddress?.Address)
            .OfType<string>()
            .Where(host => !IPAddress.TryParse(host, out _));

    /// <summary>The shortest DNS refresh interval any cluster asks for (Envoy's default is 5 s).</summary>
    public static TimeSpan DnsRefreshInterval(EnvoyResources resources)
    {
        var intervals = resources.Clusters.Where(IsDns)
            .Select(c => c.DnsRefreshRate is null ? TimeSpan.FromSeconds(5) : c.DnsRefreshRate.ToTimeSpan())
            .Where(t => t > TimeSpan.Zero)
            .ToList();
        var shortest = intervals.Count == 0 ? TimeSpan.FromSeconds(5) : intervals.Min();
        return shortest < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : shortest;
    }

    private static bool IsDns(Cluster cluster) =>
        cluster.ClusterDiscoveryTypeCase == Cluster.ClusterDiscoveryTypeOneofCase.Type
        && cluster.Type is Cluster.Types.DiscoveryType.StrictDns or Cluster.Types.DiscoveryType.LogicalDns;

    private static ClusterLoadAssignment? Resolve(Cluster cluster, Dictionary<string, ClusterLoadAssignment> assignments, DnsCache dns, List<TranslationDiagnostic> diagnostics)
    {
        var resource = ResourceRef.Cluster(cluster.Name);
        if (cluster.ClusterDiscoveryTypeCase == Cluster.ClusterDiscoveryTypeOneofCase.ClusterType)
        {
            diagnostics.Add(new(DiagnosticSeverity.Warning, resource, "cluster_type", $"custom cluster type {cluster.ClusterType.Name} is not supported; the cluster has no endpoints"));
            return null;
        }
        switch (cluster.Type)
        {
            case Cluster.Types.DiscoveryType.Static:
                return cluster.LoadAssignment;
            case Cluster.Types.DiscoveryType.Eds:
                var serviceName = string.IsNullOrEmpty(cluster.EdsClusterConfig?.ServiceName) ? cluster.Name : cluster.EdsClusterConfig.ServiceName;
                if (assignments.TryGetValue(serviceName, out var assignment))
                    return assignment;
                diagnostics.Add(new(DiagnosticSeverity.Warning, resource, "eds_cluster_config", $"no ClusterLoadAssignment for '{serviceName}' yet; the cluster has no endpoints"));
                return null;
            case Cluster.Types.DiscoveryType.StrictDns:
            case Cluster.Types.DiscoveryType.LogicalDns:
                return ResolveDns(cluster, dns);
            default:
                diagnostics.Add(new(DiagnosticSeverity.Warning, resource, "type", $"{cluster.Type} clusters are not supported; the cluster has no endpoints"));
                return null;
        }
    }

    private static ClusterLoadAssignment? ResolveDns(Cluster cluster, DnsCache dns)
    {
        if (cluster.LoadAssignment is null)
            return null;
        var logical = cluster.Type == Cluster.Types.DiscoveryType.LogicalDns;
        var result = new ClusterLoadAssignment { ClusterName = cluster.Name };
        foreach (var locality in cluster.LoadAssignment.Endpoints)
        {
            var resolvedLocality = locality.Clone();
            resolvedLocality.LbEndpoints.Clear();
            foreach (var lbEndpoint in locality.LbEndpoints)
            {
                var socket = lbEndpoint.Endpoint?.Address?.SocketAddress;
                if (socket is null)
                    continue;
                var addresses = Filter(dns.Lookup(socket.Address), cluster.DnsLookupFamily);
                // LOGICAL_DNS connects to one address of the answer; STRICT_DNS to all of them.
                foreach (var address in logical ? addresses.Take(1) : addresses)
                {
                    var copy = lbEndpoint.Clone();
                    copy.Endpoint.Address.SocketAddress.Address = address.ToString();
                    copy.Endpoint.Hostname = socket.Address;
                    resolvedLocality.LbEndpoints.Add(copy);
                }
            }
            result.Endpoints.Add(resolvedLocality);
        }
        return result;
    }

    private static IEnumerable<IPAddress> Filter(IReadOnlyList<IPAddress> addresses, Cluster.Types.DnsLookupFamily family)
    {
        var v4 = addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork);
        var v6 = addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6);
        return family switch
        {
            Cluster.Types.DnsLookupFamily.V4Only => v4,
            Cluster.Types.DnsLookupFamily.V6Only => v6,
            Cluster.Types.DnsLookupFamily.V4Preferred => v4.Any() ? v4 : v6,
            Cluster.Types.DnsLookupFamily.All => addresses,
            _ => v6.Any() ? v6 : v4, // AUTO: IPv6 when there is any, else IPv4
        };
    }
}
