using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// A real Prometheus server (Debian's <c>prometheus</c> package) on loopback, scraping one target
/// every second, with its data in a folder of its own that goes with it.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Process _process;
    private readonly string _folder;

    private PrometheusServer(Process process, string folder, Uri url)
    {
        _process = process;
        _folder = folder;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Starts Prometheus scraping <paramref name="target"/> (host:port) at <paramref name="path"/> every second.</summary>
    public static async Task<PrometheusServer> StartAsync(Uri target, string path = "/metrics")
    {
        var folder = Directory.CreateTempSubdirectory("kmesh-prometheus").FullName;
        var config = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
            - job_name: kmesh
              metrics_path: {path}
              static_configs:
              - targets: ["{target.Authority}"]
            """);
        var port = FreePort();
        var info = new ProcessStartInfo("prometheus")
        {
            ArgumentList = { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(folder, "data")}", $"--web.listen-address=127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Directory.Delete(folder, recursive: true);
            throw new InvalidOperationException("prometheus is not installed: apt-get install prometheus (./kmesh test installs it)", e);
        }
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, folder, new Uri($"http://127.0.0.1:{port}"));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                using var ready = await Http.GetAsync(new Uri(server.Url, "/-/ready"));
                if (ready.IsSuccessStatusCode)
                    return server;
            }
            catch (HttpRequestException)
            {
            }
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException("prometheus did not become ready");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>The value of an instant PromQL query returning one sample; null when it returns none.</summary>
    public async Task<double?> QueryAsync(string promql)
    {
        using var response = await Http.GetAsync(new Uri(Url, $"/api/v1/query?query={Uri.EscapeDataString(promql)}"));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var result = json.RootElement.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() == 0)
            return null;
        if (result.GetArrayLength() > 1)
            throw new InvalidOperationException($"{promql} returned {result.GetArrayLength()} series: {result}");
        return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Polls a query until <paramref name="expected"/> holds for its value (scrapes are every second).</summary>
    public async Task<double?> WaitForAsync(string promql, Func<double?, bool> expected, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        double? value;
        while (!expected(value = await QueryAsync(promql)) && DateTime.UtcNow < deadline)
            await Task.Delay(500);
        return value;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
