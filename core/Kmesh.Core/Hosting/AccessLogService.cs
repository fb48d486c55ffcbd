using Kmesh.Core.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

/// <summary>
/// The connection access log (<c>--access-log PATH</c>, <c>-</c> for standard output): reads the
/// kernel's ring of closed and refused connections and writes one JSON line each, with names,
/// and hands each line to live followers. The kernel never waits for it: when this falls behind,
/// the ring drops records and counts them (<c>kmesh_accesslog_dropped_total</c>).
/// </summary>
public sealed partial class AccessLogService(DaemonOptions options, DatapathHost datapath, UpdateLoop loop, AccessLogHub hub, ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _log = loggers.CreateLogger("kmesh");

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.AccessLogPath is not { } path || datapath.Datapath.Telemetry is not { } telemetry)
            return;
        TextWriter writer;
        try
        {
            writer = path == "-" ? Console.Out : new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogCannotWrite(_log, path, e.Message);
            return;
        }
        hub.Enabled = true;
        LogWriting(_log, path == "-" ? "standard output" : path);
        var reader = telemetry.OpenAccessLog();
        try
        {
            await foreach (var record in reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                var line = AccessLogLine.Format(record, loop.Ids);
                await writer.WriteLineAsync(line).ConfigureAwait(false);
                await writer.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                hub.Publish(line);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            hub.Complete();
            await reader.DisposeAsync().ConfigureAwait(false);
            if (path != "-")
                await writer.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "Access log: one JSON line per closed or refused connection to {Target}")]
    private static partial void LogWriting(ILogger logger, string target);

    [LoggerMessage(EventId = 61, Level = LogLevel.Error, Message = "Access log {Path} cannot be written ({Reason}); connections are not logged")]
    private static partial void LogCannotWrite(ILogger logger, string path, string reason);
}
