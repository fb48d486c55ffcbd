using System.Net;
using Kmesh.Core.Hosting;
using Kmesh.Waypoint.Hosting;
using Kmesh.Xds;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kmesh.Daemon;

/// <summary><c>kmesh waypoint</c>: the node-local L7 proxy for the services the kernel cannot route alone.</summary>
internal static partial class WaypointCommand
{
    public const string Usage = """
        usage: kmesh waypoint (--config FILE | --xds HOST:PORT [--xds-* flags as kmesh run]) --listen IP [options]
          --listen IP              the address to serve on, on every port of the HTTP listeners in the config
                                   (kmesh run --waypoint IP steers connects needing L7 here, keeping the dialed port)
          --plugin-dir DIR         where plugins are found (repeatable; default: <kmesh>/plugins); their L7 parts extend the waypoint
          --admin ADDR:PORT|none   the waypoint's /ready /healthz /metrics (Istio's HTTP metrics; default 127.0.0.1:15201)
          --access-log PATH|-      write one JSON line per request (- : standard output)
          --log-level LEVEL        trace, debug, information (default), warning, error
        """;

    public static (WaypointOptions Options, LogLevel Level) Parse(IReadOnlyList<string> args)
    {
        string? config = null;
        IPAddress? listen = null;
        var level = LogLevel.Information;
        var xds = new XdsArguments();
        var admin = WaypointOptions.DefaultAdmin;
        string? accessLog = null;
        var pluginDirs = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--config": config = Value(); break;
                case "--listen":
                    var text = Value();
                    listen = IPAddress.TryParse(text, out var ip) ? ip : throw new UsageException($"--listen {text}: expected an IP address");
                    break;
                case "--admin": admin = RunCommandLine.ParseAdmin(Value()); break;
                case "--access-log": accessLog = Value(); break;
                case "--plugin-dir": pluginDirs.Add(Path.GetFullPath(Value())); break;
                case "--log-level": level = RunCommandLine.ParseLogLevel(Value()); break;
                default:
                    if (!xds.TryTake(args[i], Value))
                        throw new UsageException($"unknown argument {args[i]}");
                    break;
            }
        }
        xds.RequireOneSource(config);
        var options = new WaypointOptions
        {
            ConfigPath = config is null ? null : Path.GetFullPath(config),
            Xds = xds.Build(),
            Listen = listen ?? throw new UsageException("--listen IP is required"),
            Admin = admin,
            PluginDirectories = pluginDirs.Count > 0 ? pluginDirs : [Path.Combine(AppContext.BaseDirectory, "plugins")],
            AccessLogPath = accessLog is null or "-" ? accessLog : Path.GetFullPath(accessLog),
        };
        return (options, level);
    }

    public static async Task<int> RunAsync(WaypointOptions options, LogLevel level)
    {
        // Before any socket: the runtime reads this once, at the first asynchronous socket operation.
        InlineSocketCompletions.PreferInline();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        // YARP logs two lines per proxied request at Information: per-request lines belong in --access-log.
        builder.Logging.AddKmeshConsole(new LogLevelSwitch(level)).AddFilter("Yarp", LogLevel.Warning);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddKmeshWaypoint(options);
        using var host = builder.Build();
        var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("waypoint");
        try
        {
            await host.StartAsync();
        }
        catch (Exception e) when (e is ConfigParseException or IOException or UnauthorizedAccessException)
        {
            LogCouldNotStart(log, e.Message);
            await host.StopAsync();
            return 1;
        }
        await host.WaitForShutdownAsync();
        return 0;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "could not start: {Reason}")]
    private static partial void LogCouldNotStart(ILogger log, string reason);
}
