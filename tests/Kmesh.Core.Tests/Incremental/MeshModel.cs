using System.Text;
using Kmesh.Envoy.Api;
using Kmesh.Xds;

namespace Kmesh.Core.Tests.Incremental;

/// <summary>
/// A small mesh that random operations change: clusters of every load-balancing policy (some with
/// circuit breakers and outlier detection, some STATIC), their ClusterLoadAssignments, and TCP
/// listeners naming them. Each resource is YAML parsed on its own and kept while its text stays
/// the same (as a delta ADS client keeps unchanged resources), unless the mesh is told to parse
/// everything anew (as SotW or a re-read file gives new objects for everything).
/// </summary>
internal sealed class MeshModel
{
    public const int ClusterSlots = 10;
    public const int ListenerSlots = 5;
    private static readonly string[] Policies = ["ROUND_ROBIN", "RING_HASH", "MAGLEV", "LEAST_REQUEST", "RANDOM"];

    private sealed record ClusterSpec(int Policy, bool Outlier, bool Breakers, bool Static, int Locality);

    private readonly ClusterSpec?[] _clusters = new ClusterSpec?[ClusterSlots];
    private readonly string?[] _assignments = new string?[ClusterSlots];
    private readonly int?[] _listeners = new int?[ListenerSlots];
    private readonly Dictionary<string, EnvoyResources> _parsed = new(StringComparer.Ordinal);
    private int _rotation;

    /// <summary>Applies one operation: <paramref name="kind"/> picks it, <paramref name="target"/> the resource, <paramref name="value"/> its content.</summary>
    public string Apply(int kind, int target, int value)
    {
        var c = target % ClusterSlots;
        switch (kind)
        {
            case 0:
            case 1:
                _assignments[c] = Endpoints(c, value);
                return $"endpoints of c{c} = {value}";
            case 2:
                _assignments[c] = null;
                return $"no endpoints for c{c}";
            case 3:
                _clusters[c] = new ClusterSpec(value % Policies.Length, value / 5 % 2 == 0, value / 10 % 2 == 0, value / 20 % 4 == 0, value / 80 % 3);
                return $"cluster c{c} = {value}";
            case 4:
                _clusters[c] = null;
                return $"no cluster c{c}";
            case 5:
                _rotation = value;
                return $"order {value}";
            case 6:
                _listeners[target % ListenerSlots] = value % ClusterSlots;
                return $"listener l{target % ListenerSlots} -> c{value % ClusterSlots}";
            case 7:
                _listeners[target % ListenerSlots] = null;
                return $"no listener l{target % ListenerSlots}";
            default:
                // The same endpoints listed in the other order.
                if (_assignments[c] is { } text)
                    _assignments[c] = Reversed(text);
                return $"endpoints of c{c} reversed";
        }
    }

    /// <summary>The resources now; <paramref name="fresh"/>: every resource a new object.</summary>
    public EnvoyResources Build(bool fresh)
    {
        var docs = new List<string>();
        for (var i = 0; i < ListenerSlots; i++)
        {
            if (_listeners[i] is { } target)
                docs.Add(Listener(i, target));
        }
        for (var i = 0; i < ClusterSlots; i++)
        {
            if (_clusters[i] is { } spec)
                docs.Add(Cluster(i, spec));
            if (_assignments[i] is { } assignment && _clusters[i]?.Static != true)
                docs.Add(assignment);
        }
        var rotated = docs.Skip(_rotation % Math.Max(1, docs.Count)).Concat(docs.Take(_rotation % Math.Max(1, docs.Count))).ToList();
        var parts = rotated.Select(d => Parse(d, fresh)).ToList();
        return new EnvoyResources(
            parts.SelectMany(p => p.Listeners).ToList(),
            parts.SelectMany(p => p.Clusters).ToList(),
            parts.SelectMany(p => p.Endpoints).ToList(),
            parts.SelectMany(p => p.Routes).ToList(),
            null);
    }

    private EnvoyResources Parse(string doc, bool fresh)
    {
        if (!fresh && _parsed.TryGetValue(doc, out var kept))
            return kept;
        var parsed = EnvoyConfigFile.Parse("model.yaml", "resources:\n" + doc);
        _parsed[doc] = parsed;
        return parsed;
    }

    private static string Endpoints(int cluster, int value)
    {
        var count = value % 6; // 0..5 endpoints
        var text = new StringBuilder();
        text.Append($"""
            - "@type": {EnvoyTypes.ClusterLoadAssignment}
              cluster_name: c{cluster}
              endpoints:{(count == 0 ? " []" : "")}

            """);
        for (var i = 0; i < count; i++)
        {
            var priority = value / 6 % 3 == 0 && i == count - 1 ? 1 : 0;
            var host = (value / 7 + i * 13) % 40 + 1;
            text.Append($$"""
                  - priority: {{priority}}
                    locality: { zone: z{{i % 2}} }
                    load_balancing_weight: {{i % 3 + 1}}
                    lb_endpoints: [ { endpoint: { address: { socket_address: { address: 10.{{cluster}}.0.{{host}}, port_value: 8080 } } }, load_balancing_weight: {{(value + i) % 4 + 1}} } ]

                """);
        }
        return text.ToString();
    }

    private static string Reversed(string assignment)
    {
        var lines = assignment.Split('\n');
        var head = lines.TakeWhile(l => !l.StartsWith("  - priority", StringComparison.Ordinal)).ToList();
        var entries = new List<List<string>>();
        foreach (var line in lines.Skip(head.Count))
        {
            if (line.StartsWith("  - priority", StringComparison.Ordinal))
                entries.Add([]);
            if (entries.Count > 0)
                entries[^1].Add(line);
        }
        entries.Reverse();
        return string.Join('\n', head.Concat(entries.SelectMany(e => e)));
    }

    private string Cluster(int i, ClusterSpec spec)
    {
        var text = new StringBuilder();
        text.Append($"""
            - "@type": {EnvoyTypes.Cluster}
              name: c{i}
              lb_policy: {Policies[spec.Policy]}

            """);
        if (spec.Static)
        {
            var endpoints = _assignments[i] ?? Endpoints(i, 3);
            text.Append("  type: STATIC\n  load_assignment:\n    cluster_name: c" + i + "\n    endpoints:" + (endpoints.Contains("  - priority", StringComparison.Ordinal) ? "\n" : " []\n"));
            var body = endpoints.Split('\n').SkipWhile(l => !l.StartsWith("  - priority", StringComparison.Ordinal));
            foreach (var line in body)
                text.Append(line.Length > 0 ? "    " + line + "\n" : "");
        }
        else
        {
            text.Append("  type: EDS\n  eds_cluster_config: { eds_config: { ads: {} } }\n");
        }
        if (spec.Locality == 1)
            text.Append("  common_lb_config: { locality_weighted_lb_config: {} }\n");
        if (spec.Outlier)
            text.Append("  outlier_detection: { consecutive_5xx: 3, max_ejection_percent: 50 }\n");
        if (spec.Breakers)
            text.Append("  circuit_breakers: { thresholds: [ { max_connections: 7, max_pending_requests: 3 } ] }\n");
        return text.ToString();
    }

    private static string Listener(int i, int cluster) => $$"""
        - "@type": {{EnvoyTypes.Listener}}
          name: l{{i}}
          address: { socket_address: { address: 10.96.0.{{i + 1}}, port_value: 80 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.tcp_proxy
              typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: l{{i}}, cluster: c{{cluster}} }

        """;
}
