using Envoy.Config.Cluster.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.CircuitBreaker;

/// <summary>
/// A cluster's <c>outlier_detection</c> as the kernel applies it: Envoy's consecutive-failure
/// detectors fed by connect outcomes. The statistical detectors (success rate, failure
/// percentage) need per-request outcomes and an interval sweep: reported, not applied.
/// </summary>
internal static class OutlierDetections
{
    private const string Field = "outlier_detection";
    private const uint DefaultMaxEjectionPercent = 10;
    private static readonly ulong DefaultInterval = Seconds(10);
    private static readonly ulong DefaultBaseEjection = Seconds(30);
    private static readonly ulong DefaultMaxEjection = Seconds(300);

    /// <summary>
    /// The settings for a cluster of <paramref name="endpoints"/> hosts, or null when nothing would
    /// ever be ejected (an Info says why) or the config is invalid (an error names each bad field).
    /// </summary>
    public static OutlierSettings? Settings(OutlierDetection detection, uint endpoints, ResourceRef resource, TranslationOutput output)
    {
        var valid = PercentagesValid(detection, resource, output);
        ReportZeroThresholds(detection, resource, output);
        var interval = Durations.Nanoseconds(detection.Interval, DefaultInterval, zeroAllowed: false, Field + ".interval", resource, output);
        var baseEjection = Durations.Nanoseconds(detection.BaseEjectionTime, DefaultBaseEjection, zeroAllowed: false, Field + ".base_ejection_time", resource, output);
        var maxEjection = Durations.Nanoseconds(detection.MaxEjectionTime, DefaultMaxEjection, zeroAllowed: false, Field + ".max_ejection_time", resource, output);
        var jitter = Durations.Nanoseconds(detection.MaxEjectionTimeJitter, 0, zeroAllowed: true, Field + ".max_ejection_time_jitter", resource, output);
        if (!valid || interval is null || baseEjection is null || maxEjection is null || jitter is null)
            return null;
        ReportNotApplied(detection, resource, output);

        if (ConsecutiveFailureDetector.Choose(detection, Field, resource, output) is not { } detector)
            return null;
        var maxPercent = detection.MaxEjectionPercent ?? DefaultMaxEjectionPercent;
        var alwaysOne = detection.AlwaysEjectOneHost ?? false;
        if (maxPercent == 0 && !alwaysOne)
        {
            output.Info(resource, Field + ".max_ejection_percent", "0% and no always_eject_one_host: no endpoint is ever ejected");
            return null;
        }
        if ((ulong)maxPercent * endpoints / 100 > CircuitBreakerMaps.MaxEjected)
            output.Info(resource, Field + ".max_ejection_percent", $"{maxPercent}% of {endpoints} endpoints; at most {CircuitBreakerMaps.MaxEjected} endpoints of a cluster are ejected at once");
        return new OutlierSettings
        {
            Consecutive = detector.Threshold,
            Enforcing = detector.Enforcing,
            MaxEjectionPercent = maxPercent,
            Endpoints = endpoints,
            BaseEjectionNs = baseEjection.Value,
            // As in Envoy: the cap is never below the base.
            MaxEjectionNs = Math.Max(baseEjection.Value, maxEjection.Value),
            IntervalNs = interval.Value,
            JitterNs = jitter.Value,
            Flags = alwaysOne ? OutlierFlags.AlwaysEjectOne : OutlierFlags.None,
        };
    }

    private static bool PercentagesValid(OutlierDetection d, ResourceRef resource, TranslationOutput output)
    {
        (string Name, uint? Value)[] percentages =
        [
            ("max_ejection_percent", d.MaxEjectionPercent),
            ("enforcing_consecutive_5xx", d.EnforcingConsecutive5Xx),
            ("enforcing_consecutive_gateway_failure", d.EnforcingConsecutiveGatewayFailure),
            ("enforcing_consecutive_local_origin_failure", d.EnforcingConsecutiveLocalOriginFailure),
            ("enforcing_success_rate", d.EnforcingSuccessRate),
            ("enforcing_local_origin_success_rate", d.EnforcingLocalOriginSuccessRate),
            ("failure_percentage_threshold", d.FailurePercentageThreshold),
            ("enforcing_failure_percentage", d.EnforcingFailurePercentage),
            ("enforcing_failure_percentage_local_origin", d.EnforcingFailurePercentageLocalOrigin),
        ];
        var valid = true;
        foreach (var (name, value) in percentages)
        {
            if (value > 100)
            {
                output.Error(resource, $"{Field}.{name}", $"{value}% is more than 100%");
                valid = false;
            }
        }
        return valid;
    }

    // Envoy accepts a threshold of 0 and then never fires that detector (its count, compared after
    // each increment, never equals 0); generated configs use it to switch one off (Envoy Gateway
    // sends consecutiveGatewayFailure: 0). Valid, so no error: the detector is off, and we say so.
    private static void ReportZeroThresholds(OutlierDetection d, ResourceRef resource, TranslationOutput output)
    {
        (string Name, uint? Value)[] thresholds =
        [
            ("consecutive_5xx", d.Consecutive5Xx),
            ("consecutive_gateway_failure", d.ConsecutiveGatewayFailure),
            ("consecutive_local_origin_failure", d.ConsecutiveLocalOriginFailure),
        ];
        foreach (var (name, value) in thresholds)
        {
            if (value == 0)
                output.Info(resource, $"{Field}.{name}", "0: Envoy never ejects for this detector, and neither does the kernel");
        }
    }

    private static void ReportNotApplied(OutlierDetection d, ResourceRef resource, TranslationOutput output)
    {
        uint?[] statistical =
        [
            d.EnforcingSuccessRate, d.SuccessRateMinimumHosts, d.SuccessRateRequestVolume, d.SuccessRateStdevFactor,
            d.EnforcingLocalOriginSuccessRate, d.FailurePercentageThreshold, d.EnforcingFailurePercentage,
            d.EnforcingFailurePercentageLocalOrigin, d.FailurePercentageMinimumHosts, d.FailurePercentageRequestVolume,
        ];
        if (statistical.Any(v => v is not null))
            output.Warn(resource, Field, "the success-rate and failure-percentage detectors need per-request outcomes and an interval sweep: not applied; consecutive connect failures are");
        if (d.SuccessfulActiveHealthCheckUnejectHost is not null)
            output.Info(resource, Field + ".successful_active_health_check_uneject_host", "there is no active health checking on the kernel path: an ejection ends only when its time has passed");
        if (d.Monitors.Count > 0)
            output.Info(resource, Field + ".monitors", "not implemented by Envoy either: ignored");
    }

    private static ulong Seconds(ulong seconds) => seconds * 1_000_000_000UL;
}
