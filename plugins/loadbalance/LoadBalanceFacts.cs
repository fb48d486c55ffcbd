using System.Globalization;
using System.Net;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.LoadBalance;

/// <summary>
/// What a cluster became, for <see cref="TranslationOutput.Applied"/>: its policy, and the
/// endpoints that take connects with each one's share, so that an operator can see priority
/// failover and locality weights at work without reading the schedule.
/// </summary>
internal static class LoadBalanceFacts
{
    // Enough to recognise a cluster; a long list is summed up by its count.
    private const int ListedEndpoints = 8;

    public static void Report(TranslationOutput output, ResourceRef resource, Cluster cluster, string policy,
        ClusterLoadAssignment? assignment, IReadOnlyList<WeightedEndpoint> endpoints, bool localityWeighted)
    {
        var policyField = cluster.LoadBalancingPolicy is not null ? "load_balancing_policy" : "lb_policy";
        output.Applied(resource, policyField, AppliedKind.Policy, $"{policy} load balancing");
        // Written when read: at 10 000 clusters the text cost a quarter of a full translation.
        output.Applied(resource, "", AppliedKind.Endpoints, () => DescribeEndpoints(assignment, endpoints, localityWeighted));
    }

    private static string DescribeEndpoints(ClusterLoadAssignment? assignment, IReadOnlyList<WeightedEndpoint> endpoints, bool localityWeighted)
    {
        var configured = assignment?.Endpoints.Sum(l => l.LbEndpoints.Count) ?? 0;
        if (endpoints.Count == 0)
            return configured == 0
                ? "no endpoints: connects fail with EHOSTUNREACH"
                : $"none of its {configured} endpoints can take connects: connects fail with EHOSTUNREACH";
        var total = endpoints.Aggregate(0UL, (sum, e) => sum + e.Weight);
        var names = HostNames(assignment);
        var listed = endpoints.Take(ListedEndpoints).Select(e =>
            $"{names.GetValueOrDefault(e.Address, e.Address.ToString())} {Percent(e.Weight, total)}");
        var text = $"{endpoints.Count} of {configured} endpoints take connects: {string.Join(", ", listed)}";
        if (endpoints.Count > ListedEndpoints)
            text += $" and {endpoints.Count - ListedEndpoints} more";
        if (Priorities(assignment!) is { Count: > 1 } priorities)
            text += $"; priorities {string.Join(", ", priorities)}";
        if (localityWeighted)
            text += $"; locality weighted over {assignment!.Endpoints.Count} localities";
        return text;
    }

    /// <summary>The priorities that have endpoints, in order; null for the usual single one (no list made for it).</summary>
    private static List<uint>? Priorities(ClusterLoadAssignment assignment)
    {
        uint? single = null;
        var several = false;
        foreach (var locality in assignment.Endpoints)
        {
            if (locality.LbEndpoints.Count == 0)
                continue;
            single ??= locality.Priority;
            several |= locality.Priority != single;
        }
        return several
            ? assignment.Endpoints.Where(l => l.LbEndpoints.Count > 0).Select(l => l.Priority).Distinct().Order().ToList()
            : null;
    }

    /// <summary>An endpoint that has a host name (a DNS cluster's, or one the config gives) is shown by it.</summary>
    private static Dictionary<IPEndPoint, string> HostNames(ClusterLoadAssignment? assignment)
    {
        var names = new Dictionary<IPEndPoint, string>();
        foreach (var endpoint in assignment?.Endpoints.SelectMany(l => l.LbEndpoints).Select(e => e.Endpoint) ?? [])
        {
            var socket = endpoint?.Address?.SocketAddress;
            if (socket is null || endpoint!.Hostname.Length == 0 || !IPAddress.TryParse(socket.Address, out var ip) || socket.PortValue is 0 or > 65535)
                continue;
            names.TryAdd(new IPEndPoint(ip, (int)socket.PortValue), $"{endpoint.Hostname}:{socket.PortValue}");
        }
        return names;
    }

    private static string Percent(ulong weight, ulong total) =>
        (weight * 100.0 / total).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
