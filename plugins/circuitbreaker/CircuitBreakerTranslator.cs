using Envoy.Config.Cluster.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.CircuitBreaker;

/// <summary>
/// A cluster's <c>circuit_breakers</c> become node-wide connection limits and its
/// <c>outlier_detection</c> the consecutive connect failures that eject an endpoint. Clusters
/// without them get no entry: no limit, no ejection. Each part is checked on its own, so an
/// invalid outlier_detection leaves the cluster's limits in force and the other way round.
/// A change set re-translates only the clusters it names (their Cluster or their endpoints, whose
/// count bounds the ejections).
/// The connect programs only read the limits, so the clusters with limits are this plugin's
/// connect work (chain ABI 1.4): a connect whose route can pick none of them passes it over.
/// </summary>
public sealed class CircuitBreakerTranslator : IIncrementalTranslator
{
    // The clusters with limits in the last full translation and the changes since: the declared
    // work. A change that adds or removes one is translated in full, which declares the work anew.
    private HashSet<uint> _limited = [];

    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
        // Declared even when empty, so that limits removed from the config are removed from the kernel.
        var limits = output.Map<uint, ClusterLimits>(CircuitBreakerMaps.Limits);
        var outliers = output.Map<uint, OutlierSettings>(CircuitBreakerMaps.Outlier);
        // Declared even when empty: then no connect runs the connect programs at all.
        var work = output.ConnectWork();
        var limited = new HashSet<uint>();
        foreach (var (name, cluster) in snapshot.Clusters)
        {
            var id = snapshot.Ids.ClusterId(name);
            var (clusterLimits, settings) = TranslateCluster(name, cluster, snapshot, output);
            if (clusterLimits is { } l)
            {
                limits.Set(id, l);
                work.AddCluster(id);
                limited.Add(id);
            }
            if (settings is { } o)
                outliers.Set(id, o);
        }
        _limited = limited;
    }

    /// <inheritdoc />
    public bool TranslateChanges(MeshSnapshot snapshot, MeshChanges changes, TranslationDelta delta)
    {
        // Whether a changed cluster has limits follows from its Cluster alone: when that differs
        // from before for any, the declared work changes, which only a full translation declares.
        foreach (var name in changes.Clusters)
        {
            var limited = snapshot.Clusters.TryGetValue(name, out var changed) && HasLimits(name, changed);
            if (limited != _limited.Contains(snapshot.Ids.ClusterId(name)))
                return false;
        }
        var limits = delta.Map<uint, ClusterLimits>(CircuitBreakerMaps.Limits);
        var outliers = delta.Map<uint, OutlierSettings>(CircuitBreakerMaps.Outlier);
        foreach (var name in changes.Clusters.Concat(changes.Endpoints).Distinct(StringComparer.Ordinal))
        {
            delta.Retranslated(ResourceRef.Cluster(name));
            var (clusterLimits, settings) = snapshot.Clusters.TryGetValue(name, out var cluster)
                ? TranslateCluster(name, cluster, snapshot, delta.Findings)
                : (null, null);
            // A cluster that left had an id; one that came gets its id here, as the full path would give it.
            var id = snapshot.Ids.ClusterId(name);
            if (clusterLimits is { } l)
                limits.Set(id, l);
            else
                limits.Remove(id);
            if (settings is { } o)
                outliers.Set(id, o);
            else
                outliers.Remove(id);
        }
        return true;
    }

    private static (ClusterLimits?, OutlierSettings?) TranslateCluster(string name, Cluster cluster, MeshSnapshot snapshot, TranslationOutput output)
    {
        var resource = ResourceRef.Cluster(name);
        ClusterLimits? limits = null;
        OutlierSettings? outlier = null;
        if (cluster.CircuitBreakers is { } breakers && DefaultThresholds.Limits(breakers, resource, output) is { } clusterLimits)
        {
            limits = clusterLimits;
            output.Applied(resource, "circuit_breakers.thresholds", AppliedKind.Policy,
                $"circuit breaker, node-wide (EBUSY beyond): {Limit(clusterLimits.MaxConnections)} connections, {Limit(clusterLimits.MaxPending)} in handshake");
        }
        if (cluster.OutlierDetection is not { } detection)
            return (limits, outlier);
        var endpoints = ClusterHosts.Count(snapshot.Endpoints.GetValueOrDefault(name));
        if (OutlierDetections.Settings(detection, endpoints, resource, output) is { } settings)
        {
            outlier = settings;
            output.Applied(resource, "outlier_detection", AppliedKind.Policy,
                $"outlier detection: {settings.Consecutive} consecutive connect failures eject an endpoint for {settings.BaseEjectionNs / 1_000_000_000.0:0.###} s × ejections, at most {settings.MaxEjectionPercent}% of {settings.Endpoints}");
        }
        return (limits, outlier);
    }

    /// <summary>Whether the cluster gets an entry in the limits map, without reporting anything.</summary>
    private static bool HasLimits(string name, Cluster cluster) =>
        cluster.CircuitBreakers is { } breakers && DefaultThresholds.Limits(breakers, ResourceRef.Cluster(name), new TranslationOutput()) is not null;

    private static string Limit(uint value) => value == DefaultThresholds.Unlimited ? "any number of" : $"at most {value}";
}
