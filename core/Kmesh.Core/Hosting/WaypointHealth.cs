using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

/// <summary>What the daemon last saw of the node's waypoint.</summary>
public enum WaypointState
{
    /// <summary>Not asked yet.</summary>
    Unknown,

    /// <summary><c>/ready</c> answered 200: steered connects are served.</summary>
    Ready,

    /// <summary><c>/ready</c> answered, not 200: the waypoint runs but has no configuration in force yet.</summary>
    NotReady,

    /// <summary>Nothing answers at its admin endpoint: steered connects fail at once with ECONNREFUSED.</summary>
    Unreachable,
}

/// <summary>
/// Watches the waypoint the routing plugin steers to (<c>--waypoint</c>): every few seconds it asks
/// the waypoint's <c>/ready</c>, so that /status, the metrics and the log say why connects to the
/// steered services fail when it is down (they fail fast, with ECONNREFUSED, never hang). The data
/// path never waits on this: it only reports.
/// </summary>
public sealed partial class WaypointHealth(DaemonOptions options, TimeProvider time, ILoggerFactory loggers) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);
    private readonly ILogger _log = loggers.CreateLogger("kmesh");
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private (WaypointState State, string Detail, DateTimeOffset Since) _last = (WaypointState.Unknown, "", time.GetUtcNow());

    /// <summary>The last state, what was seen, and since when it holds.</summary>
    public (WaypointState State, string Detail, DateTimeOffset Since) Last => _last;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ready = new Uri($"http://{options.WaypointAdmin}/ready");
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            do
            {
                var (state, detail) = await AskAsync(ready, stoppingToken);
                if (state != _last.State)
                {
                    _last = (state, detail, time.GetUtcNow());
                    if (state == WaypointState.Ready)
                        LogReady(_log, options.Waypoint!.ToString(), options.WaypointAdmin.ToString());
                    else
                        LogNotServing(_log, options.Waypoint!.ToString(), detail);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<(WaypointState, string)> AskAsync(Uri ready, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(ready, cancellationToken);
            return response.IsSuccessStatusCode
                ? (WaypointState.Ready, "ready")
                : (WaypointState.NotReady, $"{ready} answered {(int)response.StatusCode}: {(await response.Content.ReadAsStringAsync(cancellationToken)).Trim()}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (WaypointState.Unreachable, $"{ready}: {e.Message}");
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "waypoint at {Waypoint} is ready (admin {Admin}): steered services are served")]
    private static partial void LogReady(ILogger log, string waypoint, string admin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "waypoint at {Waypoint} is not serving ({Detail}): connects to the services steered there fail at once with ECONNREFUSED")]
    private static partial void LogNotServing(ILogger log, string waypoint, string detail);
}
