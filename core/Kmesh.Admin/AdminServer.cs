using Kmesh.Admin.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kmesh.Admin;

/// <summary>
/// The admin HTTP API: a Kestrel server of its own, inside the daemon's host. Its handlers read
/// what the daemon's services publish (status, metrics, the datapath's maps) and never write to
/// the kernel themselves; what changes state (the log level) is a plain value swap.
/// </summary>
public sealed partial class AdminServer(AdminEndpoint endpoint, IServiceProvider daemon, ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _log = loggers.CreateLogger("kmesh");
    private WebApplication? _app;

    /// <summary>The URL it listens on, once started (the real port when asked for port 0).</summary>
    public Uri? Url { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // the daemon logs what matters; Kestrel's chatter stays out
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(endpoint.Address));
        var app = builder.Build();
        AdminRoutes.Map(app, daemon);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new AdminStartException($"the admin API cannot listen on {endpoint.Address}: {e.Message} (choose another with --admin ADDR:PORT, or --admin none)", e);
        }
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        Url = address is null ? null : new Uri(address);
        LogListening(_log, address ?? endpoint.Address.ToString());
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync().ConfigureAwait(false);
        _app = null;
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "Admin API on {Url}")]
    private static partial void LogListening(ILogger logger, string url);
}
