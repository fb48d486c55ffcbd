using System.Net;
using System.Net.Sockets;

namespace Kmesh.Sdk.Testing;

/// <summary>
/// The real <c>kmesh waypoint</c> (the daemon's binary, shipped in this package) as a child process
/// on a config of the test's choice, listening on 127.0.0.1 at the ports of the config's HTTP
/// listeners, with plugin folders whose L7 parts it loads. Needs no root and no kernel support: a
/// test dials the waypoint itself, as the kernel would steer a service's connects to it.
/// </summary>
public sealed class WaypointProcess : IAsyncDisposable
{
    private WaypointProcess(string configPath, DaemonProcess process)
    {
        ConfigPath = configPath;
        Process = process;
    }

    /// <summary>The config file the waypoint watches (rewrite it to change the config live).</summary>
    public string ConfigPath { get; }

    /// <summary>The process, with its log (<see cref="DaemonProcess.Lines"/>) for assertions.</summary>
    public DaemonProcess Process { get; }

    /// <summary>
    /// Starts <c>kmesh waypoint --config FILE --listen 127.0.0.1</c> on <paramref name="configYaml"/>
    /// (Envoy v3 resources, as for <c>kmesh run --config</c>) and waits until it says <c>ready</c>.
    /// </summary>
    /// <param name="configYaml">The config; its HTTP listeners' ports are where the waypoint serves (see <see cref="FreePort"/>).</param>
    /// <param name="pluginDirs">Plugin folders whose L7 parts extend the waypoint (e.g. <see cref="AppContext.BaseDirectory"/>,
    /// where a referenced plugin project's build output lands).</param>
    /// <param name="extraArguments">More <c>kmesh waypoint</c> flags, e.g. <c>--access-log -</c>.</param>
    /// <param name="daemonDll">Another <c>kmesh.dll</c> than <see cref="KmeshCore.DefaultDaemonDll"/>.</param>
    /// <param name="readyTimeout">How long to wait for <c>ready</c> (default 60 s).</param>
    public static async Task<WaypointProcess> StartAsync(
        string configYaml,
        IEnumerable<string>? pluginDirs = null,
        IEnumerable<string>? extraArguments = null,
        string? daemonDll = null,
        TimeSpan? readyTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(configYaml);
        var configPath = Path.Combine(Path.GetTempPath(), $"kmesh-waypoint-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(configPath, configYaml).ConfigureAwait(false);
        var arguments = new List<string> { "--config", configPath, "--listen", IPAddress.Loopback.ToString() };
        foreach (var dir in (pluginDirs ?? []).Distinct())
            arguments.AddRange(["--plugin-dir", dir]);
        arguments.AddRange(extraArguments ?? []);

        DaemonProcess? process = null;
        try
        {
            // Waypoints of parallel tests must not fight over the default admin port.
            process = DaemonProcess.Start(daemonDll ?? KmeshCore.DefaultDaemonDll, "waypoint", arguments, "none", echo: null);
            await process.WaitReadyAsync(readyTimeout).ConfigureAwait(false);
            return new WaypointProcess(configPath, process);
        }
        catch
        {
            if (process is not null)
                await process.DisposeAsync().ConfigureAwait(false);
            File.Delete(configPath);
            throw;
        }
    }

    /// <summary>A loopback port free a moment ago, for the config's listener.</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>Stops the waypoint (SIGTERM, then SIGKILL) and removes its config file.</summary>
    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync().ConfigureAwait(false);
        File.Delete(ConfigPath);
    }
}
