using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Kmesh.Waypoint.Hosting.Transport;
using Kmesh.Waypoint.Hosting.Http1;
using Microsoft.AspNetCore.Hosting.Server;
using Kmesh.Waypoint.Proxy;

namespace Kmesh.Waypoint.Hosting;

/// <summary>
/// One Kestrel server per listening port, started and stopped as configurations add and remove
/// HTTP listeners, so that a new port never disturbs connections on the others. Each accepts
/// HTTP/1.1 and cleartext HTTP/2 with prior knowledge (h2c, as gRPC clients speak it).
/// </summary>
internal sealed partial class PortListeners(IPAddress address, bool inlineTransport, bool http1Server, WaypointProxy proxy, ILogger log) : IAsyncDisposable
{
    private readonly Dictionary<int, WebApplication> _servers = [];

    /// <summary>The ports being served now.</summary>
    public IReadOnlyCollection<int> Ports => _servers.Keys;

    /// <summary>Serves exactly <paramref name="ports"/>; returns the ports that could not be bound, with why.</summary>
    public async Task<List<(int Port, string Reason)>> ServeAsync(IEnumerable<int> ports)
    {
        var wanted = ports.ToHashSet();
        foreach (var port in _servers.Keys.Where(p => !wanted.Contains(p)).ToList())
        {
            await StopAsync(_servers[port]);
            _servers.Remove(port);
            LogStopped(log, port);
        }
        var failed = new List<(int, string)>();
        foreach (var port in wanted.Where(p => !_servers.ContainsKey(p)).Order())
        {
            var server = Create(port);
            try
            {
                await server.StartAsync();
                _servers[port] = server;
            }
            catch (IOException e)
            {
                await server.DisposeAsync();
                failed.Add((port, e.Message));
            }
        }
        return failed;
    }

    private WebApplication Create(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // With the waypoint's own HTTP/1.1 server, Kestrel serves only what that server hands over.
        var handoff = http1Server ? new Http1Handoff(port) : null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // A detected h2c connection carries the client's :scheme (http) over a connection Kestrel takes for TLS.
            kestrel.AllowAlternateSchemes = true;
            kestrel.Listen(handoff?.EndPoint ?? new IPEndPoint(address, port), listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.Use(next => connection => CleartextHttp2Detection.DetectAsync(connection, () => next(connection)));
            });
        });
        // A proxy's request handling never blocks: let socket completions run it inline instead of
        // hopping to the thread pool twice per request (on 2 cores the hops cost more than the work).
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = true);
        // By default the waypoint's own transport, which runs each connection's close inline too (see
        // WaypointOptions.InlineTransport). Registered last, so Kestrel picks it over the sockets one.
        if (inlineTransport)
            builder.Services.AddSingleton<IConnectionListenerFactory, InlineTransportFactory>();
        if (handoff is not null)
        {
            builder.Services.AddSingleton<IConnectionListenerFactory>(new Http1HandoffTransportFactory(handoff));
            // The host starts our server, which starts Kestrel (the IServer registered until now) behind it.
            var kestrel = builder.Services.Last(d => d.ServiceType == typeof(IServer)).ImplementationType!;
            builder.Services.AddSingleton<IServer>(services =>
                new Http1Server(address, port, handoff, (IServer)ActivatorUtilities.CreateInstance(services, kestrel)));
        }
        builder.WebHost.UseSetting(WebHostDefaults.SuppressStatusMessagesKey, "true");
        var app = builder.Build();
        app.Run(proxy.HandleAsync);
        return app;
    }

    private static async Task StopAsync(WebApplication server)
    {
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await server.StopAsync(grace.Token);
        await server.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers.Values)
            await StopAsync(server);
        _servers.Clear();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "port {Port}: no HTTP listener any more, stopped listening")]
    private static partial void LogStopped(ILogger log, int port);
}
