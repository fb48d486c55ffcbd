namespace Kmesh.Xds.Ads;

/// <summary>Which ADS variant the client speaks.</summary>
public enum XdsMode
{
    /// <summary>State of the world: <c>StreamAggregatedResources</c>; every LDS/CDS response is the full set.</summary>
    Sotw,

    /// <summary>Incremental: <c>DeltaAggregatedResources</c>; responses carry changes and removals.</summary>
    Delta,
}
