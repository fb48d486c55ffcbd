using System.Net;
using Kmesh.Xds.Ads;

namespace Kmesh.Waypoint.Hosting;

/// <summary>What <c>kmesh waypoint</c> was asked to do.</summary>
public sealed record WaypointOptions
{
    /// <summary>A watched Envoy config file; or null with <see cref="Xds"/>.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The control plane to follow over ADS; or null with <see cref="ConfigPath"/>.</summary>
    public XdsClientOptions? Xds { get; init; }

    /// <summary>The address the waypoint listens on, on every port of the HTTP listeners it serves.</summary>
    public required IPAddress Listen { get; init; }
}
