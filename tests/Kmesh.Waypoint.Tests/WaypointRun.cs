using System.Net;
using System.Net.Sockets;
using Kmesh.Waypoint.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kmesh.Waypoint.Tests;

/// <summary>
/// A waypoint in this process, fed by a config file it watches (the same file source the daemon
/// uses), listening on 127.0.0.1 at the port of the config's HTTP listener.
/// </summary>
internal sealed class WaypointRun : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly WaypointService _waypoint;
    private readonly string _dir;

    private WaypointRun(ServiceProvider services, WaypointService waypoint, string dir, string configPath, int port)
    {
        _services = services;
        _waypoint = waypoint;
        _dir = dir;
        ConfigPath = configPath;
        Port = port;
    }

    public string ConfigPath { get; }
    public int Port { get; }

    /// <summary>Starts a waypoint on <paramref name="yaml"/>, where <c>{PORT}</c> stands for the listener port chosen here.</summary>
    /// <param name="options">Changes to the options (an admin endpoint, an access log); none by default.</param>
    public static async Task<WaypointRun> StartAsync(string yaml, List<string>? logs = null, Func<WaypointOptions, WaypointOptions>? options = null)
    {
        var port = FreePort();
        var dir = Directory.CreateTempSubdirectory("kmesh-waypoint-").FullName;
        var path = Path.Combine(dir, "mesh.yaml");
        await File.WriteAllTextAsync(path, yaml.Replace("{PORT}", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var services = new ServiceCollection()
            .AddLogging(l => { if (logs is not null) l.AddProvider(new ListLoggerProvider(logs)); })
            .AddKmeshWaypoint((options ?? (o => o))(new WaypointOptions { ConfigPath = path, Listen = IPAddress.Loopback, Admin = null }))
            .BuildServiceProvider();
        var waypoint = services.GetRequiredService<WaypointService>();
        await waypoint.StartAsync(CancellationToken.None);
        await waypoint.Ready.WaitAsync(TimeSpan.FromSeconds(30));
        return new WaypointRun(services, waypoint, dir, path, port);
    }

    /// <summary>A client that sends every request to the waypoint's port with <paramref name="authority"/> as Host.</summary>
    public HttpClient Client(string authority, Version? version = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{Port}"),
            DefaultRequestVersion = version ?? HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(30),
        };
        client.DefaultRequestHeaders.Host = authority;
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _waypoint.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A loopback port free a moment ago.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private sealed class ListLoggerProvider(List<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(lines);

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger(List<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (lines)
                lines.Add(formatter(state, exception));
        }
    }
}
