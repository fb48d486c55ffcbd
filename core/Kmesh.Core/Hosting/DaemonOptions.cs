using Kmesh.Xds.Ads;

namespace Kmesh.Core.Hosting;

/// <summary>What <c>kmesh run</c> was asked to do.</summary>
public sealed record DaemonOptions
{
    /// <summary>The file of Envoy v3 resources (YAML or JSON), watched for changes; null when <see cref="Xds"/> is set.</summary>
    public string? ConfigPath { get; init; }

    /// <summary>The control plane to follow over ADS instead of a file; null for a file.</summary>
    public XdsClientOptions? Xds { get; init; }

    /// <summary>The cgroup v2 directory to govern.</summary>
    public required string CgroupPath { get; init; }

    /// <summary>This instance's bpffs folder.</summary>
    public required string PinFolder { get; init; }

    /// <summary>Leave the kernel data path running at stop (<c>--keep-on-exit</c>; see <see cref="Kmesh.Core.Datapath.DatapathOptions.KeepOnExit"/>).</summary>
    public bool KeepOnExit { get; init; }

    /// <summary>Folders searched for plugins.</summary>
    public required IReadOnlyList<string> PluginDirectories { get; init; }

    /// <summary>The chain, by plugin name; empty = every plugin found, in manifest order.</summary>
    public IReadOnlyList<string> Plugins { get; init; } = [];

    /// <summary>A plugin set file (names, versions, hashes, allowed directories) instead of <see cref="Plugins"/>.</summary>
    public string? PluginSetPath { get; init; }

    /// <summary>Refuse connects to a service whose chain chose no endpoint.</summary>
    public bool FailClosed { get; init; }

    /// <summary>The node's L7 waypoint (<c>--waypoint IP</c>) that the routing plugin steers services needing the request to; null: none.</summary>
    public System.Net.IPAddress? Waypoint { get; init; }

    /// <summary>The waypoint's admin endpoint, whose <c>/ready</c> the daemon watches (<c>--waypoint-admin</c>; the waypoint's default).</summary>
    public System.Net.IPEndPoint WaypointAdmin { get; init; } = new(System.Net.IPAddress.Loopback, 15201);

    /// <summary>Map capacities by <c>plugin.map</c>.</summary>
    public IReadOnlyDictionary<string, uint> MapCapacities { get; init; } = new Dictionary<string, uint>();

    /// <summary>The operator's arguments by plugin name (<c>--plugin-arg PLUGIN.KEY=VALUE</c>).</summary>
    public IReadOnlyDictionary<string, Kmesh.Sdk.Translation.PluginArguments> PluginArguments { get; init; } = new Dictionary<string, Kmesh.Sdk.Translation.PluginArguments>();

    /// <summary>How often plugin counters (declared in manifests) are logged when they changed; zero: only at stop.</summary>
    public TimeSpan CountersInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where the admin HTTP API listens; null: no admin API (<c>--admin none</c>).</summary>
    public System.Net.IPEndPoint? Admin { get; init; } = DefaultAdmin;

    /// <summary>The admin API's address unless told otherwise: loopback only.</summary>
    public static System.Net.IPEndPoint DefaultAdmin { get; } = new(System.Net.IPAddress.Loopback, 15200);

    /// <summary>Count per-service traffic in the kernel (<c>--traffic-counters on|off</c>); off only to measure what counting costs.</summary>
    public bool TrafficCounters { get; init; } = true;

    /// <summary>The connection access log's file, <c>-</c> for standard output; null: no access log.</summary>
    public string? AccessLogPath { get; init; }
}
