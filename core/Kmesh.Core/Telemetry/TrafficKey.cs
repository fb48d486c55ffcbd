namespace Kmesh.Core.Telemetry;

/// <summary>A service as connections reached it: the listener routing matched and the cluster it chose (ids of the daemon's StableMeshIds).</summary>
/// <param name="ServiceId">The service (listener, or listener|virtual host) id.</param>
/// <param name="ClusterId">The cluster id; 0 when a connect was refused before routing chose one.</param>
public readonly record struct TrafficKey(uint ServiceId, uint ClusterId)
{
    /// <summary>The kernel's overflow key (<c>KM_TRAFFIC_OVERFLOW</c> twice): counts of services the full map had no room for.</summary>
    public static TrafficKey Overflow { get; } = new(uint.MaxValue, uint.MaxValue);

    /// <summary>True for <see cref="Overflow"/>.</summary>
    public bool IsOverflow => this == Overflow;
}
