namespace Kmesh.Sdk.Snapshot;

/// <summary>
/// The kinds of xDS resource Kmesh knows by name. <see cref="ResourceKinds"/> holds what goes with
/// each (type URL, the parser, how the kind is named): adding an xDS type starts there.
/// </summary>
public enum ResourceKind
{
    /// <summary>An LDS <c>envoy.config.listener.v3.Listener</c>.</summary>
    Listener,
    /// <summary>A CDS <c>envoy.config.cluster.v3.Cluster</c>.</summary>
    Cluster,
    /// <summary>An EDS <c>envoy.config.endpoint.v3.ClusterLoadAssignment</c>, named by its <c>cluster_name</c>.</summary>
    ClusterLoadAssignment,
    /// <summary>An RDS <c>envoy.config.route.v3.RouteConfiguration</c>.</summary>
    RouteConfiguration,
    /// <summary>An SDS <c>Secret</c> (Kmesh reads none, but names those it leaves out).</summary>
    Secret,
}
