using Kmesh.Waypoint.Extensions;
using Kmesh.Waypoint.Proxy;
using Kmesh.Waypoint.Routing;
using Kmesh.Xds.Sources;
using Microsoft.Extensions.Logging;

namespace Kmesh.Waypoint.Hosting;

/// <summary>
/// Puts each configuration a source offers in force: builds the route table, swaps it in whole,
/// serves its ports, and reports what it does not honour (by resource and field; the rest
/// serves). Says <c>ready</c> once the first complete configuration is in force.
/// </summary>
internal sealed partial class WaypointConfigSink(WaypointTables tables, PortListeners listeners, WaypointExtensions extensions, WaypointOptions options, ILogger log) : IConfigSink
{
    private HashSet<string> _reported = [];
    private bool _ready;

    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<ConfigVerdict> OfferAsync(ConfigUpdate update, CancellationToken cancellationToken)
    {
        var table = extensions.Configure(WaypointTableBuilder.Build(update.Resources, update.Version), update.Resources);
        tables.Replace(table);
        foreach (var (port, reason) in await listeners.ServeAsync(table.Ports.Keys))
            LogBindFailed(log, options.Listen.ToString(), port, reason);
        var findings = table.Findings.Select(f => f.ToString()).ToHashSet();
        foreach (var finding in findings.Where(f => !_reported.Contains(f)))
            LogFinding(log, finding);
        _reported = findings;
        LogApplied(log, update.Version, table.Ports.Count, table.Clusters.Count, table.Findings.Count);
        if (update.Warm && !_ready)
        {
            _ready = true;
            LogReady(log, options.Listen.ToString(), string.Join(", ", listeners.Ports.Order()),
                options.Http1Server ? "the waypoint's own server" : "Kestrel");
            Ready.TrySetResult();
        }
        return ConfigVerdict.Accept;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "not honoured: {Finding}")]
    private static partial void LogFinding(ILogger log, string finding);

    [LoggerMessage(Level = LogLevel.Error, Message = "cannot listen on {Address}:{Port}: {Reason}")]
    private static partial void LogBindFailed(ILogger log, string address, int port, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "applied config {Version}: {Ports} HTTP ports, {Clusters} clusters, {Findings} not honoured")]
    private static partial void LogApplied(ILogger log, string version, int ports, int clusters, int findings);

    [LoggerMessage(Level = LogLevel.Information, Message = "ready: serving {Address} on ports {Ports} (HTTP/1.1 on {Http1Server}; h2c and upgrades on Kestrel)")]
    private static partial void LogReady(ILogger log, string address, string ports, string http1Server);
}
