using Kmesh.Sdk.Waypoint;
using Kmesh.Waypoint.Observability;
using Microsoft.Extensions.Logging;

namespace Kmesh.Waypoint.Extensions;

/// <summary>
/// Runs the plugins' request filters in chain order. A filter that answered the request stops the
/// rest (and the request is not proxied); a filter that throws is skipped for that request, counted
/// and logged, so a faulty plugin never takes requests down with it.
/// </summary>
internal sealed partial class FilterRunner(ILogger log)
{
    private long _failures;

    /// <summary>Filter calls that threw.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <returns>False when a filter answered the request.</returns>
    public async ValueTask<bool> RunAsync(IReadOnlyList<(string Plugin, IWaypointFilter Filter)> filters, WaypointRequest request, RequestRecord record)
    {
        foreach (var (plugin, filter) in filters)
        {
            try
            {
                if (!await filter.OnRequestAsync(request))
                {
                    record.AnsweredBy = plugin;
                    return false;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Interlocked.Increment(ref _failures);
                LogFilterFailed(log, plugin, e.Message);
            }
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "plugin {Plugin}'s request filter failed and was skipped for this request: {Reason}")]
    private static partial void LogFilterFailed(ILogger log, string plugin, string reason);
}
