using Kmesh.Core.Hosting;
using Microsoft.Extensions.Logging;

namespace Kmesh.Daemon;

/// <summary>Parses <c>kmesh run</c>'s flags into daemon options; errors name the flag.</summary>
internal static class RunCommandLine
{
    public const string Usage = """
        usage: kmesh run (--config FILE | --xds HOST:PORT) [options]
          --config FILE            Envoy v3 resources (YAML or JSON): static_resources or a resources: list; watched
          --xds HOST:PORT          follow this control plane over ADS instead of a file
          --xds-mode sotw|delta    state-of-the-world (default) or incremental ADS
          --xds-ca FILE            PEM CA bundle: connect with TLS and check the server against it
          --xds-token FILE         bearer token file sent with the stream (re-read at each connect)
          --node-id ID             node id (default: sidecar~IP~HOST.NS~NS.svc.cluster.local)
          --xds-namespace NS       node namespace, metadata NAMESPACE (default: default)
          --xds-cluster-id ID      node metadata CLUSTER_ID (default: Kubernetes)
          --xds-label K=V          node metadata LABELS entry (repeatable)
          --xds-resource-timeout S seconds a requested resource may take before it counts as absent (default 15)
          --cgroup DIR             cgroup v2 directory to govern (default: the cgroup v2 root)
          --plugins a,b            the chain, in order (default: every plugin found, in manifest order)
          --plugin-set FILE        the chain as a plugin set: names, versions, SHA-256 pins, allowed directories
          --plugin-dir DIR         where plugins are found (repeatable; default: <kmesh>/plugins)
          --bpffs DIR              this instance's pin folder (default: /sys/fs/bpf/kmesh/default)
          --keep-on-exit           leave the data path attached and serving when the daemon stops or dies;
                                   the next kmesh run on DIR adopts it, kmesh uninstall removes it
          --map-capacity P.MAP=N   capacity of plugin P's map MAP (repeatable)
          --plugin-arg P.KEY=VALUE an argument for plugin P (repeatable; see the plugin's docs)
          --waypoint IP            send connects to services whose routes need L7 to the node's waypoint at IP (kmesh waypoint
                                   --listen IP), keeping the dialed port; other services stay kernel-only
          --waypoint-admin ADDR:PORT the waypoint's admin endpoint, watched for /status and metrics (default 127.0.0.1:15201)
          --fail-closed            refuse connects to a service whose chain chose no endpoint
          --counters-interval S    seconds between logs of plugin counters that moved (default 30; 0: only at stop)
          --admin ADDR:PORT|none   the admin HTTP API (/ready /metrics /config_dump ...; default 127.0.0.1:15200)
          --access-log PATH|-      write one JSON line per closed or refused connection (- : standard output)
          --traffic-counters on|off count per-service traffic in the kernel (default on; off: Istio TCP metrics stay at zero)
          --log-level LEVEL        trace, debug, information (default), warning, error
        """;

    public static (DaemonOptions Options, LogLevel LogLevel) Parse(IReadOnlyList<string> args)
    {
        string? config = null, cgroup = null, bpffs = null, pluginSet = null;
        var plugins = new List<string>();
        var pluginDirs = new List<string>();
        var capacities = new Dictionary<string, uint>(StringComparer.Ordinal);
        var pluginArguments = new PluginArgumentsBuilder();
        var failClosed = false;
        var keepOnExit = false;
        var countersInterval = TimeSpan.FromSeconds(30);
        var level = LogLevel.Information;
        var xds = new XdsArguments();
        var admin = DaemonOptions.DefaultAdmin;
        string? accessLog = null;
        var trafficCounters = true;
        System.Net.IPAddress? waypoint = null;
        System.Net.IPEndPoint? waypointAdmin = null;
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--config": config = Value(); break;
                case "--cgroup": cgroup = Value(); break;
                case "--bpffs": bpffs = Value(); break;
                case "--plugins": plugins.AddRange(Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); break;
                case "--plugin-dir": pluginDirs.Add(Path.GetFullPath(Value())); break;
                case "--plugin-set": pluginSet = Path.GetFullPath(Value()); break;
                case "--fail-closed": failClosed = true; break;
                case "--keep-on-exit": keepOnExit = true; break;
                case "--counters-interval": countersInterval = ParseInterval(Value()); break;
                case "--map-capacity": AddCapacity(capacities, Value()); break;
                case "--plugin-arg": pluginArguments.Add(Value()); break;
                case "--waypoint":
                    var text = Value();
                    waypoint = System.Net.IPAddress.TryParse(text, out var ip) ? ip : throw new UsageException($"--waypoint {text}: expected the IP address kmesh waypoint listens on");
                    pluginArguments.Add($"routing.waypoint={text}");
                    break;
                case "--waypoint-admin":
                    waypointAdmin = ParseAdmin(Value(), "--waypoint-admin") ?? throw new UsageException("--waypoint-admin needs ADDRESS:PORT");
                    break;
                case "--admin": admin = ParseAdmin(Value()); break;
                case "--access-log": accessLog = Value(); break;
                case "--traffic-counters": trafficCounters = ParseOnOff("--traffic-counters", Value()); break;
                case "--log-level": level = ParseLogLevel(Value()); break;
                default:
                    if (!xds.TryTake(args[i], Value))
                        throw new UsageException($"unknown argument {args[i]}");
                    break;
            }
        }
        xds.RequireOneSource(config);
        if (waypointAdmin is not null && waypoint is null)
            throw new UsageException("--waypoint-admin needs --waypoint IP");
        if (pluginSet is not null && plugins.Count > 0)
            throw new UsageException("--plugins and --plugin-set both choose the chain; give one");
        if (pluginDirs.Count == 0)
            pluginDirs.Add(Path.Combine(AppContext.BaseDirectory, "plugins"));
        var options = new DaemonOptions
        {
            ConfigPath = config is null ? null : Path.GetFullPath(config),
            Xds = xds.Build(),
            CgroupPath = cgroup ?? CgroupV2.Root(),
            PinFolder = bpffs ?? "/sys/fs/bpf/kmesh/default",
            PluginDirectories = pluginDirs,
            Plugins = plugins,
            PluginSetPath = pluginSet,
            FailClosed = failClosed,
            KeepOnExit = keepOnExit,
            MapCapacities = capacities,
            CountersInterval = countersInterval,
            PluginArguments = pluginArguments.Build(),
            Admin = admin,
            AccessLogPath = accessLog is null or "-" ? accessLog : Path.GetFullPath(accessLog),
            TrafficCounters = trafficCounters,
            Waypoint = waypoint,
            WaypointAdmin = waypointAdmin ?? new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 15201),
        };
        return (options, level);
    }

    /// <summary>A <c>--log-level</c> value: trace, debug, information, warning, error (any case).</summary>
    internal static LogLevel ParseLogLevel(string text) =>
        Enum.TryParse(text, ignoreCase: true, out LogLevel level) ? level : throw new UsageException($"--log-level {text}: not a level");

    /// <summary><c>none</c>, or an address and port (IPv6 in brackets); any address given here is taken as asked for.</summary>
    internal static System.Net.IPEndPoint? ParseAdmin(string text, string flag = "--admin")
    {
        if (text == "none")
            return null;
        if (System.Net.IPEndPoint.TryParse(text, out var endpoint) && text.Contains(':') && endpoint.Port is >= 0 and <= 65535
            && (text.StartsWith('[') || endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork))
            return endpoint;
        throw new UsageException($"{flag} {text}: expected ADDRESS:PORT (e.g. 127.0.0.1:15200, [::1]:15200) or none");
    }

    private static bool ParseOnOff(string flag, string text) => text switch
    {
        "on" => true,
        "off" => false,
        _ => throw new UsageException($"{flag} {text}: expected on or off"),
    };

    private static TimeSpan ParseInterval(string text) =>
        double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"--counters-interval {text}: expected seconds >= 0");

    private static void AddCapacity(Dictionary<string, uint> capacities, string text)
    {
        var parts = text.Split('=', 2);
        if (parts.Length != 2 || !parts[0].Contains('.') || !uint.TryParse(parts[1], out var capacity) || capacity == 0)
            throw new UsageException($"--map-capacity {text}: expected PLUGIN.MAP=N with N > 0");
        capacities[parts[0]] = capacity;
    }
}

/// <summary>The command line is wrong; the message says how.</summary>
internal sealed class UsageException(string message) : Exception(message);
