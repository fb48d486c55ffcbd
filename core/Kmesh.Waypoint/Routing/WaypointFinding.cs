using Kmesh.Sdk.Snapshot;

namespace Kmesh.Waypoint.Routing;

/// <summary>Something in the config the waypoint does not honour, named by resource and field.</summary>
/// <param name="Resource">E.g. <c>route configuration local_route</c> or <c>listener 0.0.0.0_9080</c>; <c>plugin NAME</c> for a plugin's L7 part that failed.</param>
/// <param name="Field">The field path inside it, e.g. <c>virtual_hosts[0].routes[2].match</c>.</param>
public sealed record WaypointFinding(string Resource, string Field, string Message)
{
    /// <summary>A finding about a resource.</summary>
    public WaypointFinding(ResourceRef resource, string field, string message)
        : this(resource.ToString(), field, message)
    {
    }

    public override string ToString() => $"{Resource}: {Field}: {Message}";
}
