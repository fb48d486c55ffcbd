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

    /// <summary>The waypoint's own admin endpoint (/ready, /healthz, /metrics); null for none.</summary>
    public IPEndPoint? Admin { get; init; } = DefaultAdmin;

    /// <summary>Beside the daemon's 15200, on loopback: only an operator on the node reads it unless told otherwise.</summary>
    public static readonly IPEndPoint DefaultAdmin = new(IPAddress.Loopback, 15201);

    /// <summary>Where plugins are found: those with an L7 part (<c>IWaypointExtension</c>) extend the waypoint, in manifest order.</summary>
    public IReadOnlyList<string> PluginDirectories { get; init; } = [];

    /// <summary>A file to append one JSON line per request to, <c>-</c> for standard output, null for none.</summary>
    public string? AccessLogPath { get; init; }

    /// <summary>
    /// Serve through the waypoint's own Kestrel transport (Hosting/Transport), which runs a
    /// connection's reads, writes and close without thread-pool hops, instead of Kestrel's socket
    /// transport. On unless the environment says <c>KMESH_WAYPOINT_TRANSPORT=sockets</c>: with one new
    /// connection per request it needs 10-15% less CPU per request on a quiet machine and about a
    /// fifth less on a loaded one; elsewhere within about 10% either way (bench/results/2026-12-07-wp19.md).
    /// </summary>
    public bool InlineTransport { get; init; } = Environment.GetEnvironmentVariable(InlineTransportVariable) != SocketsTransport;

    /// <summary>The value of <see cref="InlineTransportVariable"/> that selects Kestrel's socket transport.</summary>
    public const string SocketsTransport = "sockets";

    public const string InlineTransportVariable = "KMESH_WAYPOINT_TRANSPORT";

    /// <summary>
    /// Serve HTTP/1.1 with the waypoint's own server (Hosting/Http1), which handles each accepted
    /// connection on the thread that accepted it, and hand only HTTP/2 with prior knowledge and
    /// upgrades to Kestrel; instead of Kestrel for everything. On unless the environment says
    /// <c>KMESH_WAYPOINT_SERVER=kestrel</c>: Kestrel gives each accepted connection to the thread pool,
    /// which with a new connection per request cost about twice the CPU (bench/results/2026-12-07-wp20.md).
    /// </summary>
    public bool Http1Server { get; init; } = Environment.GetEnvironmentVariable(ServerVariable) != KestrelServer;

    /// <summary>The value of <see cref="ServerVariable"/> that serves everything with Kestrel.</summary>
    public const string KestrelServer = "kestrel";

    public const string ServerVariable = "KMESH_WAYPOINT_SERVER";
}
