using Kmesh.Xds.Ads;
using Kmesh.Xds.Sources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

/// <summary>
/// Runs the config source for the daemon's lifetime and never lets it die: a source that fails
/// is reported and started again (with a growing pause), and the last applied configuration
/// keeps serving meanwhile. It offers to the update loop only once the loop has started.
/// </summary>
public sealed partial class ConfigSourceHost(IConfigSourceFactory factory, DaemonStatus status, ILoggerFactory loggers, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(10);

    private readonly ILogger _log = loggers.CreateLogger("kmesh");
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource<IConfigSink> _sink = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IConfigSource? _source;

    /// <summary>The source, made on first use (a config file is read then).</summary>
    public IConfigSource Source
    {
        get
        {
            lock (_lock)
            {
                if (_source is null)
                {
                    _source = factory.Create();
                    status.SourceDescription = _source.Description;
                    status.Xds = (_source as AdsConfigSource)?.Status;
                }
                return _source;
            }
        }
    }

    /// <summary>Called by the update loop once it takes offers.</summary>
    internal void Connect(IConfigSink sink) => _sink.TrySetResult(sink);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IConfigSink sink;
        try
        {
            sink = await _sink.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var pause = FirstPause;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Source.RunAsync(sink, stoppingToken).ConfigureAwait(false);
                if (stoppingToken.IsCancellationRequested)
                    return;
                LogSourceEnded(_log, Source.Description, "it returned");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogSourceEnded(_log, Source.Description, $"{e.GetType().Name}: {e.Message}");
            }
            try
            {
                await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, LongestPause.Ticks));
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        IConfigSource? source;
        lock (_lock)
            source = _source;
        if (source is not null)
            await source.DisposeAsync().ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Config source {Source} stopped ({Error}); the last applied config keeps serving, and the source starts again")]
    private static partial void LogSourceEnded(ILogger logger, string source, string error);
}
