using System.Collections;
using Envoy.Config.Route.V3;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// The fields of a route, its action, a weighted cluster or a virtual host that are set but that
/// the waypoint does not read: each is reported (<c>ignored by the waypoint</c>) so that an
/// operator sees where Envoy would behave otherwise; the route still serves. Fields that only
/// name or describe (tracing, stats, metadata) and those plugins' L7 parts read are not reported.
/// </summary>
internal static class IgnoredFields
{
    // Envoy's names of what the route table, the proxy or a plugin's L7 part reads, and of what
    // changes nothing about where and how a request is sent.
    private static readonly HashSet<string> RouteRead =
    [
        "name", "match", "route", "redirect", "direct_response", "metadata", "decorator", "tracing", "stat_prefix",
        "request_headers_to_add", "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove",
        "typed_per_filter_config", "per_request_buffer_limit_bytes",
    ];

    private static readonly HashSet<string> ActionRead =
    [
        "cluster", "weighted_clusters", "cluster_header", "cluster_specifier_plugin", "inline_cluster_specifier_plugin",
        "timeout", "retry_policy", "prefix_rewrite", "regex_rewrite", "host_rewrite_literal", "auto_host_rewrite",
        "host_rewrite_header", "host_rewrite_path_regex", "hash_policy", "request_mirror_policies", "cluster_not_found_response_code",
        // The ratelimit plugin's L7 part reads these.
        "rate_limits", "include_vh_rate_limits",
        // WebSocket upgrades pass through as they are; Istio sets these on every route, with no limit.
        "upgrade_configs", "max_stream_duration", "priority", "early_data_policy",
    ];

    private static readonly HashSet<string> WeightedClusterRead = ["name", "weight", "typed_per_filter_config"];

    private static readonly HashSet<string> VirtualHostRead =
    [
        "name", "domains", "routes", "retry_policy", "metadata", "virtual_clusters", "typed_per_filter_config", "rate_limits",
        "request_headers_to_add", "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove",
        "per_request_buffer_limit_bytes", "include_request_attempt_count", "include_attempt_count_in_response",
    ];

    public static void OfRoute(Route route, string field, Action<string> report)
    {
        Report(route, RouteRead, field, report);
        if (route.Route_ is not { } action)
            return;
        Report(action, ActionRead, $"{field}.route", report);
        if (action.WeightedClusters is { } weighted)
        {
            for (var i = 0; i < weighted.Clusters.Count; i++)
                Report(weighted.Clusters[i], WeightedClusterRead, $"{field}.route.weighted_clusters.clusters[{i}]", report);
        }
    }

    public static void OfVirtualHost(VirtualHost host, string field, Action<string> report) =>
        Report(host, VirtualHostRead, field, report);

    private static void Report(IMessage message, HashSet<string> read, string field, Action<string> report)
    {
        foreach (var descriptor in message.Descriptor.Fields.InDeclarationOrder())
        {
            if (!read.Contains(descriptor.Name) && IsSet(descriptor, message))
                report($"{field}.{descriptor.Name}");
        }
    }

    private static bool IsSet(FieldDescriptor field, IMessage message)
    {
        var value = field.Accessor.GetValue(message);
        if (field.IsMap)
            return ((IDictionary)value).Count > 0;
        if (field.IsRepeated)
            return ((IList)value).Count > 0;
        if (field.HasPresence)
            return field.Accessor.HasValue(message);
        return value switch
        {
            null => false,
            string text => text.Length > 0,
            ByteString bytes => !bytes.IsEmpty,
            bool flag => flag,
            Enum choice => Convert.ToInt32(choice, System.Globalization.CultureInfo.InvariantCulture) != 0,
            IConvertible number => Convert.ToDouble(number, System.Globalization.CultureInfo.InvariantCulture) != 0,
            _ => true,
        };
    }
}
