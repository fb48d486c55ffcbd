using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Google.Protobuf;
using Kmesh.Sdk.Snapshot;
using Kmesh.Xds.Sources;

namespace Kmesh.Xds.Validation;

/// <summary>
/// Validates xDS resources as Envoy does when it receives them: the proto rules
/// (<see cref="ProtoValidator"/>), then the checks Envoy makes in code (<see cref="EnvoySemantics"/>).
/// Each violation becomes a <see cref="ResourceRejection"/> naming resource, field path and rule,
/// the form NACKs and logs carry.
/// </summary>
public static class ResourceValidator
{
    /// <summary>At most this many violations are reported per resource; a resource with thousands of bad endpoints must not make a NACK of megabytes.</summary>
    public const int MaxPerResource = 5;

    /// <summary>The violations of one resource, named <paramref name="label"/> (e.g. <c>cluster reviews</c>).</summary>
    /// <param name="resource">A Listener, Cluster, ClusterLoadAssignment or RouteConfiguration (any message gets the proto rules).</param>
    /// <param name="label">How the resource is named in the rejections.</param>
    /// <param name="owner">For a ClusterLoadAssignment, the cluster it is for, when known.</param>
    public static List<ResourceRejection> Validate(IMessage resource, ResourceRef label, Cluster? owner = null)
    {
        var violations = ProtoValidator.Validate(resource);
        switch (resource)
        {
            case Listener listener:
                EnvoySemantics.Listener(listener, violations);
                break;
            case Cluster cluster:
                EnvoySemantics.Cluster(cluster, violations);
                break;
            case ClusterLoadAssignment assignment:
                EnvoySemantics.Assignment(assignment, owner, violations);
                break;
        }
        var result = violations.Take(MaxPerResource).Select(v => new ResourceRejection(label, v.Path, v.Reason)).ToList();
        if (violations.Count > MaxPerResource)
            result.Add(new ResourceRejection(label, "", $"and {violations.Count - MaxPerResource} more violations"));
        return result;
    }

    /// <summary>Every resource of a complete configuration (a file): listeners, clusters, assignments (with the cluster they serve), routes.</summary>
    public static List<ResourceRejection> Validate(EnvoyResources resources)
    {
        var owners = new Dictionary<string, Cluster>(StringComparer.Ordinal);
        foreach (var cluster in resources.Clusters)
            owners.TryAdd(EdsServiceName(cluster), cluster);
        var result = new List<ResourceRejection>();
        foreach (var listener in resources.Listeners)
            result.AddRange(Validate(listener, ResourceRef.Listener(listener.Name)));
        foreach (var cluster in resources.Clusters)
            result.AddRange(Validate(cluster, ResourceRef.Cluster(cluster.Name)));
        foreach (var assignment in resources.Endpoints)
            result.AddRange(Validate(assignment, ResourceRef.LoadAssignment(assignment.ClusterName), owners.GetValueOrDefault(assignment.ClusterName)));
        foreach (var routes in resources.Routes)
            result.AddRange(Validate(routes, ResourceRef.Routes(routes.Name)));
        return result;
    }

    /// <summary>The ClusterLoadAssignment name an EDS cluster reads: its service_name, or its own name.</summary>
    public static string EdsServiceName(Cluster cluster) =>
        string.IsNullOrEmpty(cluster.EdsClusterConfig?.ServiceName) ? cluster.Name : cluster.EdsClusterConfig.ServiceName;
}
