using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.CircuitBreaker;

/// <summary>
/// A cluster's <c>circuit_breakers</c> become node-wide connection limits and its
/// <c>outlier_detection</c> the consecutive connect failures that eject an endpoint. Clusters
/// without them get no entry: no limit, no ejection. Each part is checked on its own, so an
/// invalid outlier_detection leaves the cluster's limits in force and the other way round.
/// </summary>
public sealed class CircuitBreakerTranslator : ITranslator
{
    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
        // Declared even when empty, so that limits removed from the config are removed from the kernel.
        var limits = output.Map<uint, ClusterLimits>(CircuitBreakerMaps.Limits);
        var outliers = output.Map<uint, OutlierSettings>(CircuitBreakerMaps.Outlier);
        foreach (var (name, cluster) in snapshot.Clusters)
        {
            var resource = $"cluster {name}";
            var id = snapshot.Ids.ClusterId(name);
            if (cluster.CircuitBreakers is { } breakers && DefaultThresholds.Limits(breakers, resource, output) is { } clusterLimits)
            {
                limits.Set(id, clusterLimits);
                output.Applied(resource, "circuit_breakers.thresholds", AppliedKind.Policy,
                    $"circuit breaker, node-wide (EBUSY beyond): {Limit(clusterLimits.MaxConnections)} connections, {Limit(clusterLimits.MaxPending)} in handshake");
            }
            if (cluster.OutlierDetection is not { } detection)
                continue;
            var endpoints = ClusterHosts.Count(snapshot.Endpoints.GetValueOrDefault(name));
            if (OutlierDetections.Settings(detection, endpoints, resource, output) is { } settings)
            {
                outliers.Set(id, settings);
                output.Applied(resource, "outlier_detection", AppliedKind.Policy,
                    $"outlier detection: {settings.Consecutive} consecutive connect failures eject an endpoint for {settings.BaseEjectionNs / 1_000_000_000.0:0.###} s × ejections, at most {settings.MaxEjectionPercent}% of {settings.Endpoints}");
            }
        }
    }

    private static string Limit(uint value) => value == DefaultThresholds.Unlimited ? "any number of" : $"at most {value}";
}
