namespace Kmesh.Waypoint.Routing;

/// <summary>A route the waypoint cannot honour: <see cref="Field"/> says where, the message what.</summary>
internal sealed class UnsupportedRouteException(string field, string message) : Exception(message)
{
    /// <summary>The field path inside the virtual host, e.g. <c>routes[2].match.headers[0]</c>.</summary>
    public string Field { get; } = field;
}
