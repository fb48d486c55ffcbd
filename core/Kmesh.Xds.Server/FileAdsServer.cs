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

    private FileAdsServer(WebApplication app, DirectoryWatcher watcher, ResourceDirectory directory, ResourceStore store, AdsServerEvents events, int port, ILogger log)
    {
        _app = app;
        _watcher = watcher;
        _directory = directory;
        Store = store;
        Events = events;
        Port = port;
        _log = log;
    }

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
        store.Publish(reader.Read());

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
        watcher = new DirectoryWatcher(reader.Directory, () =>
        {
            if (store.Publish(reader.Read()))
                LogChanged(log, store.Current.Version, Count(store.Current));
        }, log);
        LogServing(log, Count(store.Current), reader.Directory, bound);
        return new FileAdsServer(app, watcher, reader, store, events, bound, log);
    }

    /// <summary>Re-reads the directory now (tests use it rather than wait for the watcher).</summary>
    public bool Reload()
    {
        var changed = Store.Publish(_directory.Read());
        if (changed)
            LogChanged(_log, Store.Current.Version, Count(Store.Current));
        return changed;
    }

    /// <summary>Stops serving: open streams end, clients reconnect elsewhere or later.</summary>
    public async ValueTask DisposeAsync()
    {
        _watcher.Dispose();
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

    [LoggerMessage(EventId = 421, Level = LogLevel.Information, Message = "files changed: version {Version}, {Count} resources; pushing")]
    private static partial void LogChanged(ILogger logger, string version, int count);
}
