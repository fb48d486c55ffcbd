using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kmesh.Xds.Server;

/// <summary>
/// The file-backed ADS server: serves a directory's resources on 127.0.0.1 over plain HTTP/2 gRPC
/// (SotW and delta) and pushes changes as the files change. Loopback only: it has no
/// authentication, so it must not be reachable from elsewhere.
/// </summary>
public sealed partial class FileAdsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DirectoryWatcher _watcher;
    private readonly ResourceDirectory _directory;
    private readonly ILogger _log;
    private readonly Timer _settle;

    private FileAdsServer(WebApplication app, DirectoryWatcher watcher, ResourceDirectory directory, ResourceStore store, AdsServerEvents events, int port, ILogger log)
    {
        _app = app;
        _watcher = watcher;
        // A file read soon after it was written is read again once its time can no longer hide a
        // same-size edit (ResourceDirectory.Unsettled): here, off the path of the next change, which
        // would otherwise pay for it (a 16 MB file: ~80 ms of the first one-endpoint change after a push).
        _settle = new Timer(_ =>
        {
            lock (directory)
            {
                if (directory.Unsettled(DateTime.UtcNow))
                    Publish(directory, store, log, TimeSpan.Zero);
            }
        }, null, SettleInterval, SettleInterval);
        _directory = directory;
        Store = store;
        Events = events;
        Port = port;
        _log = log;
    }

    private static readonly TimeSpan SettleInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The port it listens on (useful when started with port 0).</summary>
    public int Port { get; }

    /// <summary>What is served now.</summary>
    public ResourceStore Store { get; }

    /// <summary>What clients did (ACKs, NACKs, nodes).</summary>
    public AdsServerEvents Events { get; }

    /// <summary>Reads <paramref name="directory"/>, starts serving on 127.0.0.1:<paramref name="port"/> (0: any free port) and watching.</summary>
    public static async Task<FileAdsServer> StartAsync(string directory, int port, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var factory = loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
        var log = factory.CreateLogger("kmesh-xds");
        var store = new ResourceStore();
        var events = new AdsServerEvents(log);
        var reader = new ResourceDirectory(Path.GetFullPath(directory), log);
        var initial = reader.Read();
        store.Publish(initial.Resources, initial.Changes);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(factory);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton(events);
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 64 * 1024 * 1024);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapGrpcService<AdsService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a).Port).First();

        DirectoryWatcher? watcher = null;
        watcher = new DirectoryWatcher(reader.Directory, () => Publish(reader, store, log, watcher?.EventToRead ?? TimeSpan.Zero), log);
        LogServing(log, Count(store.Current), reader.Directory, bound);
        return new FileAdsServer(app, watcher, reader, store, events, bound, log);
    }

    /// <summary>Re-reads the directory now (tests use it rather than wait for the watcher).</summary>
    public bool Reload()
    {
        lock (_directory)
            return Publish(_directory, Store, _log, TimeSpan.Zero);
    }

    /// <summary>Files parsed since start: the initial read counts each file once, a change only the files whose content changed.</summary>
    public long FilesParsed => _directory.FilesParsedTotal;

    private static bool Publish(ResourceDirectory directory, ResourceStore store, ILogger log, TimeSpan eventToRead)
    {
        lock (directory)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var read = directory.Read();
            var changed = store.Publish(read.Resources, read.Changes);
            var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var summary = string.Join(", ", read.Changes.Select(c => $"{c.Value.Count} {Short(c.Key)}"));
            if (changed)
                LogChanged(log, read.FilesParsed, read.FilesTotal, read.FilesRead, elapsed, store.Current.Version, summary, eventToRead.TotalMilliseconds);
            else
                LogUnchanged(log, read.FilesParsed, read.FilesTotal, read.FilesRead, elapsed);
            return changed;
        }
    }

    private static string Short(string typeUrl) => typeUrl[(typeUrl.LastIndexOf('.') + 1)..];

    /// <summary>Stops serving: open streams end, clients reconnect elsewhere or later.</summary>
    public async ValueTask DisposeAsync()
    {
        _watcher.Dispose();
        await _settle.DisposeAsync().ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static int Count(ServedSnapshot snapshot) => ServedSnapshot.PushOrder.Sum(t => snapshot.Of(t).Count);

    [LoggerMessage(EventId = 420, Level = LogLevel.Information, Message = "serving {Count} resources from {Directory} on 127.0.0.1:{Port} (ADS: SotW and delta)")]
    private static partial void LogServing(ILogger logger, int count, string directory, int port);

    [LoggerMessage(EventId = 421, Level = LogLevel.Information, Message = "files changed: re-parsed {Parsed} of {Total} files ({Read} read) in {Milliseconds:0.0} ms; version {Version} changes {Summary}; pushing (read {EventToRead:0.0} ms after the first file event)")]
    private static partial void LogChanged(ILogger logger, int parsed, int total, int read, double milliseconds, string version, string summary, double eventToRead);

    [LoggerMessage(EventId = 422, Level = LogLevel.Debug, Message = "files touched: re-parsed {Parsed} of {Total} files ({Read} read) in {Milliseconds:0.0} ms; no resource changed")]
    private static partial void LogUnchanged(ILogger logger, int parsed, int total, int read, double milliseconds);
}
