using Envoy.Config.Cluster.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.CircuitBreaker;

/// <summary>
/// The consecutive-failure detector of Envoy's outlier detection that a connect failure feeds.
/// Envoy counts a connect failure as a local-origin failure when
/// <c>split_external_local_origin_errors</c> is set, and otherwise as a 5xx that is also a
/// gateway failure (it stands for a 503): then whichever enforced detector reaches its
/// threshold first ejects.
/// </summary>
/// <param name="Field">The threshold's field, for diagnostics.</param>
/// <param name="Threshold">Consecutive failures that make an endpoint an outlier.</param>
/// <param name="Enforcing">Percent of due ejections that happen.</param>
internal sealed record ConsecutiveFailureDetector(string Field, uint Threshold, uint Enforcing)
{
    private const uint DefaultThreshold = 5;

    /// <summary>The detector, or null when none ejects anything (an Info says so).</summary>
    public static ConsecutiveFailureDetector? Choose(OutlierDetection detection, string field, ResourceRef resource, TranslationOutput output)
    {
        if (detection.SplitExternalLocalOriginErrors)
        {
            ReportExternalOnly(detection, field, resource, output);
            return Enforced([new(field + ".consecutive_local_origin_failure",
                detection.ConsecutiveLocalOriginFailure ?? DefaultThreshold, detection.EnforcingConsecutiveLocalOriginFailure ?? 100)], field, resource, output);
        }
        if (detection.ConsecutiveLocalOriginFailure is not null || detection.EnforcingConsecutiveLocalOriginFailure is not null)
            output.Info(resource, field + ".consecutive_local_origin_failure", "takes effect only with split_external_local_origin_errors; connect failures count as consecutive_5xx and consecutive_gateway_failure");
        return Enforced(
        [
            new(field + ".consecutive_5xx", detection.Consecutive5Xx ?? DefaultThreshold, detection.EnforcingConsecutive5Xx ?? 100),
            // Envoy counts gateway failures but, by default, never ejects for them.
            new(field + ".consecutive_gateway_failure", detection.ConsecutiveGatewayFailure ?? DefaultThreshold, detection.EnforcingConsecutiveGatewayFailure ?? 0),
        ], field, resource, output);
    }

    /// <summary>The enforced detector with the smallest threshold (the one that fires first); on a tie, the more enforced.</summary>
    private static ConsecutiveFailureDetector? Enforced(ConsecutiveFailureDetector[] detectors, string field, ResourceRef resource, TranslationOutput output)
    {
        // A threshold of 0 never fires in Envoy (OutlierDetections reports it): not a candidate.
        var enforced = detectors.Where(d => d.Enforcing > 0 && d.Threshold > 0).OrderBy(d => d.Threshold).ThenByDescending(d => d.Enforcing).FirstOrDefault();
        if (enforced is null)
            output.Info(resource, field, "no consecutive-failure detector is enforced (every enforcing_* is 0): no endpoint is ever ejected");
        return enforced;
    }

    private static void ReportExternalOnly(OutlierDetection detection, string field, ResourceRef resource, TranslationOutput output)
    {
        if (detection.Consecutive5Xx is not null)
            output.Info(resource, field + ".consecutive_5xx", "with split_external_local_origin_errors it counts upstream responses only, which needs L7; connect failures count as local-origin failures");
        if (detection.ConsecutiveGatewayFailure is not null)
            output.Info(resource, field + ".consecutive_gateway_failure", "with split_external_local_origin_errors it counts upstream responses only, which needs L7; connect failures count as local-origin failures");
    }
}
