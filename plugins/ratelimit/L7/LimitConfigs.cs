using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Common.Ratelimit.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Waypoint;
using HttpLocalRateLimit = Envoy.Extensions.Filters.Http.LocalRatelimit.V3.LocalRateLimit;

namespace Kmesh.Plugins.RateLimit.L7;

/// <summary>
/// The configuration-time pass over every HTTP connection manager with a local rate limit: reports,
/// by resource and field, what the waypoint does not honour, and names the buckets the
/// configuration uses (so that the others can be dropped).
/// </summary>
internal sealed class LimitConfigs(IWaypointReport report)
{
    private readonly HashSet<string> _seenRds = [];

    /// <summary>The buckets in use, or null when no connection manager has the filter.</summary>
    public HashSet<BucketKey>? Walk(MeshSnapshot snapshot)
    {
        HashSet<BucketKey>? keys = null;
        foreach (var listener in snapshot.Listeners)
        {
            for (var c = 0; c < listener.FilterChains.Count; c++)
            {
                var filters = listener.FilterChains[c].Filters;
                for (var f = 0; f < filters.Count; f++)
                {
                    if (filters[f].TypedConfig?.Is(HttpConnectionManager.Descriptor) != true)
                        continue;
                    var manager = filters[f].TypedConfig.Unpack<HttpConnectionManager>();
                    if (LimitLevels.FilterOf(manager) is null)
                        continue;
                    keys ??= [];
                    Manager(snapshot, listener, manager, $"filter_chains[{c}].filters[{f}].typed_config", keys);
                }
            }
        }
        return keys;
    }

    private void Manager(MeshSnapshot snapshot, Listener listener, HttpConnectionManager manager, string field, HashSet<BucketKey> keys)
    {
        var resource = ResourceRef.Listener(listener.Name);
        var (filter, index) = LimitLevels.FilterOf(manager)!.Value;
        for (var i = index + 1; i < manager.HttpFilters.Count; i++)
        {
            if (manager.HttpFilters[i].TypedConfig?.Is(HttpLocalRateLimit.Descriptor) == true)
                report.NotHonoured(resource, $"{field}.http_filters[{i}]", "a second HTTP local_ratelimit filter: only the first is applied by the waypoint");
        }
        Config(filter.TypedConfig.Unpack<HttpLocalRateLimit>(), resource, $"{field}.http_filters[{index}].typed_config");
        var (routes, routesResource, routesField) = manager.RouteSpecifierCase switch
        {
            HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig => (manager.RouteConfig, resource, $"{field}.route_config."),
            HttpConnectionManager.RouteSpecifierOneofCase.Rds when snapshot.Routes.TryGetValue(manager.Rds.RouteConfigName, out var rds) => (rds, ResourceRef.Routes(rds.Name), ""),
            _ => ((RouteConfiguration?)null, resource, ""),
        };
        if (routes is null)
            return;
        var reportRoutes = manager.RouteSpecifierCase == HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig || _seenRds.Add(routes.Name);
        if (reportRoutes)
            Overrides(routes.TypedPerFilterConfig, filter.Name, routesResource, routesField);
        for (var v = 0; v < routes.VirtualHosts.Count; v++)
        {
            var host = routes.VirtualHosts[v];
            var hostField = $"{routesField}virtual_hosts[{v}]";
            if (reportRoutes)
            {
                Overrides(host.TypedPerFilterConfig, filter.Name, routesResource, hostField + ".");
                // The destination cluster is the route's: a virtual host's action is checked with each route.
                Actions(host.RateLimits, AnyCluster, routesResource, $"{hostField}.rate_limits");
            }
            for (var r = 0; r < host.Routes.Count; r++)
            {
                var route = host.Routes[r];
                if (reportRoutes)
                {
                    Overrides(route.TypedPerFilterConfig, filter.Name, routesResource, $"{hostField}.routes[{r}].");
                    if (route.Route_ is { } action)
                        Actions(action.RateLimits, action.ClusterSpecifierCase == RouteAction.ClusterSpecifierOneofCase.Cluster ? action.Cluster : null, routesResource, $"{hostField}.routes[{r}].route.rate_limits");
                }
                if (LimitLevels.Effective(listener, manager, routes, host, route) is ({ } config, var level))
                {
                    keys.Add(new BucketKey(level, Google.Protobuf.MessageExtensions.ToByteString(config)));
                    foreach (var descriptor in DescriptorLimits.Honoured(config, level))
                        keys.Add(descriptor.Bucket);
                }
            }
        }
    }

    private const string AnyCluster = "";

    /// <summary>Reports the <c>rate_limits</c> actions the waypoint cannot evaluate (their descriptor is then never made).</summary>
    private void Actions(IEnumerable<global::Envoy.Config.Route.V3.RateLimit> rateLimits, string? cluster, ResourceRef resource, string field)
    {
        var i = 0;
        foreach (var rateLimit in rateLimits)
        {
            for (var a = 0; a < rateLimit.Actions.Count; a++)
            {
                if (DescriptorActions.Unsupported(rateLimit.Actions[a], cluster) is { } reason)
                    report.NotHonoured(resource, $"{field}[{i}].actions[{a}]", $"{reason}: this rate_limits entry describes no request");
            }
            i++;
        }
    }

    private void Overrides(Google.Protobuf.Collections.MapField<string, Google.Protobuf.WellKnownTypes.Any> perFilter, string filterName, ResourceRef resource, string prefix)
    {
        if (LimitLevels.Override(perFilter, filterName) is ({ } config, var field))
            Config(config, resource, prefix + field);
    }

    /// <summary>Reports what of one config the waypoint does not honour.</summary>
    private void Config(HttpLocalRateLimit config, ResourceRef resource, string field)
    {
        if (config.TokenBucket is { } bucket && LimitSettings.Problem(bucket) is var (problemField, reason))
            report.NotHonoured(resource, $"{field}.token_bucket.{problemField}", $"{reason}: this config limits nothing");
        for (var d = 0; d < config.Descriptors.Count; d++)
        {
            var descriptor = config.Descriptors[d];
            if (DescriptorLimits.Problem(descriptor) is { } problem)
                report.NotHonoured(resource, $"{field}.descriptors[{d}]", $"{problem}: this descriptor limits nothing");
            else if (descriptor.TokenBucket is null)
                report.NotHonoured(resource, $"{field}.descriptors[{d}].token_bucket", "is required: this descriptor limits nothing");
            else if (LimitSettings.Problem(descriptor.TokenBucket) is var (bucketField, bucketReason))
                report.NotHonoured(resource, $"{field}.descriptors[{d}].token_bucket.{bucketField}", $"{bucketReason}: this descriptor limits nothing");
        }
        if (config.LocalRateLimitPerDownstreamConnection)
            report.NotHonoured(resource, $"{field}.local_rate_limit_per_downstream_connection", "per-connection buckets are not kept by the waypoint: this config limits nothing");
        if (config.LocalClusterRateLimit is not null)
            report.NotHonoured(resource, $"{field}.local_cluster_rate_limit", "not honoured: the waypoint's bucket is this node's alone");
    }
}
