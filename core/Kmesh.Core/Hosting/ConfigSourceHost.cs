using Kmesh.Xds.Ads;
using Kmesh.Xds.Sources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

/// <summary>
/// Runs the config source for the daemon's lifetime and never lets it die: a source that fails
/// is reported and started again (with a growing pause), and the last applied configuration
/// keeps serving meanwhile.
/// </summary>
/// <remarks>
/// The source starts before every other part of the daemon (<see cref="IHostedLifecycleService.StartingAsync"/>),
/// so a control plane's first fetch — connecting, receiving, decoding and checking tens of
/// thousands of resources — runs while the datapath loads the plugins into the kernel (the
/// verifier alone takes most of a second). What it fetched waits in <see cref="DeferredSink"/>
/// until the update loop takes offers; nothing reaches the kernel earlier than before.
/// </remarks>
public sealed partial class ConfigSourceHost(IConfigSourceFactory factory, DaemonStatus status, ILoggerFactory loggers, TimeProvider time) : IHostedLifecycleService
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(10);

    private readonly ILogger _log = loggers.CreateLogger("kmesh");
    private readonly Lock _lock = new();
    private readonly DeferredSink _sink = new();
    private readonly CancellationTokenSource _stopping = new();
    private IConfigSource? _source;
    private Task _running = Task.CompletedTask;

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
    internal void Connect(IConfigSink sink) => _sink.Connect(sink);

    /// <summary>Makes the source (a broken config file stops the start here, before the kernel is touched) and starts it.</summary>
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        _ = Source;
        _running = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        IConfigSource? source;
        lock (_lock)
            source = _source;
        if (source is not null)
            await source.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        _stopping.Dispose();
        return Task.CompletedTask;
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var pause = FirstPause;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Source.RunAsync(_sink, stoppingToken).ConfigureAwait(false);
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

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Config source {Source} stopped ({Error}); the last applied config keeps serving, and the source starts again")]
    private static partial void LogSourceEnded(ILogger logger, string source, string error);
}
