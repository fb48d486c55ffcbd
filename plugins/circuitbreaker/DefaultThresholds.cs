using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using Thresholds = Envoy.Config.Cluster.V3.CircuitBreakers.Types.Thresholds;

namespace Kmesh.Plugins.CircuitBreaker;

/// <summary>
/// A cluster's <c>circuit_breakers</c> as connection limits. A connect has no request priority,
/// so only the DEFAULT-priority thresholds apply; what limits requests or retries needs L7.
/// </summary>
internal static class DefaultThresholds
{
    /// <summary>
    /// Envoy's default for an unset max_connections / max_pending_requests: a per-proxy number,
    /// not applied here. Counted node-wide, it would be an arbitrary cap on every workload of the
    /// node together (Envoy Gateway sends DEFAULT thresholds with only max_retries set), so an
    /// unset limit is no limit.
    /// </summary>
    public const uint EnvoyDefault = 1024;

    /// <summary>How Istio says "no limit": every threshold at the largest uint32.</summary>
    public const uint Unlimited = uint.MaxValue;

    private const string Field = "circuit_breakers";

    /// <summary>
    /// The limits, or null when there are none (no DEFAULT entry, or both at <see cref="Unlimited"/>)
    /// or they are invalid (with an error naming the field).
    /// </summary>
    public static ClusterLimits? Limits(CircuitBreakers breakers, ResourceRef resource, TranslationOutput output)
    {
        if (breakers.PerHostThresholds.Count > 0)
            output.Warn(resource, Field + ".per_host_thresholds", "limits per endpoint are not applied; the cluster's thresholds are");
        if (!TryChooseDefault(breakers, resource, output, out var chosen, out var field))
            return null;
        if (chosen is null)
        {
            // Envoy's per-proxy default would be one proxy's share; node-wide it would be an arbitrary cap.
            output.Info(resource, Field + ".thresholds", $"no DEFAULT priority thresholds: connections are not limited (Envoy's per-proxy default of {EnvoyDefault} is not applied to the whole node)");
            return null;
        }
        ReportRequestLimits(chosen, field, resource, output);
        var maxConnections = Positive(chosen.MaxConnections, field + ".max_connections", resource, output);
        var maxPending = Positive(chosen.MaxPendingRequests, field + ".max_pending_requests", resource, output);
        if (maxConnections is null || maxPending is null)
            return null;
        if (maxConnections == Unlimited && maxPending == Unlimited)
        {
            if (chosen.MaxConnections is null && chosen.MaxPendingRequests is null)
                output.Info(resource, field, $"neither max_connections nor max_pending_requests is set: connections are not limited (Envoy's per-proxy default of {EnvoyDefault} is not applied to the whole node)");
            return null;
        }
        return new ClusterLimits { MaxConnections = maxConnections.Value, MaxPending = maxPending.Value };
    }

    /// <summary>The first DEFAULT entry (null when there is none); false, with an error, when an entry is invalid.</summary>
    private static bool TryChooseDefault(CircuitBreakers breakers, ResourceRef resource, TranslationOutput output, out Thresholds? chosen, out string chosenField)
    {
        chosen = null;
        chosenField = "";
        for (var i = 0; i < breakers.Thresholds.Count; i++)
        {
            var thresholds = breakers.Thresholds[i];
            var field = $"{Field}.thresholds[{i}]";
            switch (thresholds.Priority)
            {
                case RoutingPriority.Default when chosen is null:
                    chosen = thresholds;
                    chosenField = field;
                    break;
                case RoutingPriority.Default:
                    output.Warn(resource, field, $"a second DEFAULT priority entry; only {chosenField} is applied");
                    break;
                case RoutingPriority.High:
                    output.Warn(resource, field + ".priority", "HIGH priority limits apply to requests a route sends with HIGH priority, which needs L7; a connect has the DEFAULT priority: not applied");
                    break;
                default:
                    output.Error(resource, field + ".priority", $"unknown priority {(int)thresholds.Priority}; expected DEFAULT or HIGH");
                    chosen = null;
                    return false;
            }
        }
        return true;
    }

    private static uint? Positive(uint? value, string field, ResourceRef resource, TranslationOutput output)
    {
        if (value is null)
            return Unlimited; // see EnvoyDefault
        if (value == 0)
        {
            output.Error(resource, field, "must be at least 1: a limit of 0 would refuse every connection to the cluster");
            return null;
        }
        return value;
    }

    // An unlimited request limit leaves nothing out: only real limits are worth a warning.
    private static void ReportRequestLimits(Thresholds thresholds, string field, ResourceRef resource, TranslationOutput output)
    {
        if (thresholds.MaxRequests is { } requests && requests != Unlimited)
            output.Warn(resource, field + ".max_requests", "limits concurrent requests, which needs L7: not applied");
        if (thresholds.MaxRetries is { } retries && retries != Unlimited)
            output.Warn(resource, field + ".max_retries", "limits concurrent retries, which needs L7: not applied");
        if (thresholds.RetryBudget is not null)
            output.Warn(resource, field + ".retry_budget", "a retry budget needs L7: not applied");
        if (thresholds.MaxConnectionPools is not null)
            output.Info(resource, field + ".max_connection_pools", "there are no connection pools on the kernel path: nothing to limit");
        if (thresholds.TrackRemaining)
            output.Info(resource, field + ".track_remaining", $"Envoy's remaining-capacity gauges are not published; the pinned map {CircuitBreakerMaps.Connections} holds each cluster's pending and active connections and the connects refused at a limit");
    }
}
