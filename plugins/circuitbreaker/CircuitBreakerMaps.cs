namespace Kmesh.Plugins.CircuitBreaker;

/// <summary>Names and limits of the circuit-breaker object's maps (circuitbreaker.h, cb_maps.h).</summary>
public static class CircuitBreakerMaps
{
    /// <summary>Desired: cluster id → <see cref="ClusterLimits"/>.</summary>
    public const string Limits = "cb_limits";

    /// <summary>Desired: cluster id → <see cref="OutlierSettings"/>.</summary>
    public const string Outlier = "cb_outlier";

    /// <summary>Runtime, pinned by name: cluster id → <see cref="ConnectionCounts"/>. Only the kernel writes it.</summary>
    public const string Connections = "cb_conns";

    /// <summary><c>CB_MAX_EJECTED</c>: most endpoints of one cluster ejected at the same time.</summary>
    public const int MaxEjected = 32;
}
