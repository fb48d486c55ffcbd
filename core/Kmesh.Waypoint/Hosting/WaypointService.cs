using Kmesh.Waypoint.Extensions;
using Kmesh.Waypoint.Observability;
using Kmesh.Waypoint.Proxy;
using Kmesh.Xds.Ads;
using Kmesh.Xds.Sources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Kmesh.Waypoint.Hosting;

/// <summary>
/// The waypoint as a hosted service: reads its config source (a file is applied before start
/// completes, so a broken file stops the start), then follows it until stopped.
/// </summary>
public sealed partial class WaypointService : BackgroundService
{
    private readonly WaypointOptions _options;
    private readonly ILogger _log;
    private readonly UpstreamClients _clients = new();
    private readonly PortListeners _listeners;
    private readonly WaypointConfigSink _sink;
    private readonly WaypointMetrics _metrics = new();
    private readonly RequestLog? _requestLog;
    private readonly WaypointExtensions _extensions;
    private WaypointAdmin? _admin;
    private IConfigSource? _source;

    public WaypointService(WaypointOptions options, IHttpForwarder forwarder, ILoggerFactory loggers)
    {
        _options = options;
        _log = loggers.CreateLogger("waypoint");
        _requestLog = options.AccessLogPath is { } path ? new RequestLog(path) : null;
        var tables = new WaypointTables();
        var problems = new List<string>();
        _extensions = new WaypointExtensions(WaypointExtensionLoader.Load(options.PluginDirectories, problems));
        foreach (var problem in problems)
            LogPluginProblem(_log, problem);
        if (_extensions.Plugins.Count > 0)
            LogExtensions(_log, string.Join(", ", _extensions.Plugins));
        var proxy = new WaypointProxy(forwarder, _clients, tables, new RequestObserver(_metrics, _requestLog), new FilterRunner(_log));
        _listeners = new PortListeners(options.Listen, options.InlineTransport, options.Http1Server, proxy, _log);
        _sink = new WaypointConfigSink(tables, _listeners, _extensions, options, _log);
    }

    /// <summary>Completes once the first complete configuration is in force.</summary>
    public Task Ready => _sink.Ready.Task;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Admin is { } admin)
            _admin = await WaypointAdmin.StartAsync(admin, _metrics, () => Ready.IsCompletedSuccessfully);
        _source = _options.Xds is { } xds
            ? new AdsConfigSource(xds, _log)
            : new FileConfigSource(_options.ConfigPath ?? throw new InvalidOperationException("a config file or an xDS server is needed"), _log);
        if (_source.Initial is { } initial)
            await _sink.OfferAsync(initial, cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _source!.RunAsync(_sink, stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _listeners.DisposeAsync();
        if (_source is not null)
            await _source.DisposeAsync();
        if (_admin is not null)
            await _admin.DisposeAsync();
        if (_requestLog is not null)
            await _requestLog.DisposeAsync();
        _clients.Dispose();
        await _extensions.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Problem}")]
    private static partial void LogPluginProblem(ILogger log, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "plugins extending the waypoint: {Plugins}")]
    private static partial void LogExtensions(ILogger log, string plugins);
}
