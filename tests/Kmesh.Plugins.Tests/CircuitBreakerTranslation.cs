using Envoy.Config.Cluster.V3;
using Kmesh.Plugins.CircuitBreaker;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.Tests;

/// <summary>Runs the circuit-breaker translator and reads its maps back.</summary>
internal static class CircuitBreakerTranslation
{
    public static TranslationOutput CircuitBreaking(MeshSnapshot snapshot)
    {
        var output = new TranslationOutput();
        new CircuitBreakerTranslator().Translate(snapshot, output);
        return output;
    }

    public static DesiredMap<uint, ClusterLimits> Limits(this TranslationOutput output) =>
        output.Declared<uint, ClusterLimits>(CircuitBreakerMaps.Limits);

    public static DesiredMap<uint, OutlierSettings> Outliers(this TranslationOutput output) =>
        output.Declared<uint, OutlierSettings>(CircuitBreakerMaps.Outlier);

    /// <summary>The limits of a cluster (fails when there are none).</summary>
    public static ClusterLimits LimitsOf(this TranslationOutput output, MeshSnapshot snapshot, string cluster)
    {
        Assert.True(output.Limits().TryGet(snapshot.Ids.ClusterId(cluster), out var limits),
            $"no cb_limits entry for {cluster}; diagnostics: {string.Join(" | ", output.Diagnostics)}");
        return limits;
    }

    /// <summary>The outlier settings of a cluster (fails when there are none).</summary>
    public static OutlierSettings OutlierOf(this TranslationOutput output, MeshSnapshot snapshot, string cluster)
    {
        Assert.True(output.Outliers().TryGet(snapshot.Ids.ClusterId(cluster), out var settings),
            $"no cb_outlier entry for {cluster}; diagnostics: {string.Join(" | ", output.Diagnostics)}");
        return settings;
    }

    /// <summary>A STATIC cluster with extra JSON members (circuit_breakers, outlier_detection) and endpoints "ip:port".</summary>
    public static Cluster GuardedCluster(string name, string members, params string[] endpoints) => Resources.Cluster($$"""
        {
          "name": "{{name}}",
          "type": "STATIC",
          {{(members.Length == 0 ? "" : members + ",")}}
          "load_assignment": {
            "cluster_name": "{{name}}",
            "endpoints": [ { "lb_endpoints": [ {{string.Join(", ", endpoints.Select(e => Resources.LbEndpoint(e)))}} ] } ]
          }
        }
        """);
}
