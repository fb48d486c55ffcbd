using System.Diagnostics;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>The daemon's metrics, scraped by a real Prometheus and checked by promtool.</summary>
public sealed class MetricsTests
{
    [KernelFact]
    public async Task APrometheusScrapingTheDaemon_CountsExactlyTheConnectionsAndBytesOfAService_AndTheRefusals()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());
        await using var prometheus = await PrometheusServer.StartAsync(await run.Daemon.AdminUrlAsync());
        const int connections = 5, requestBytes = 1000;

        for (var i = 0; i < connections; i++)
            Assert.Equal(requestBytes, (await run.Client.StreamAsync(TestMesh.ReviewsVip, TestMesh.Port, requestBytes, seed: i + 1)).Received);
        var dialed = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 32);
        var refused = await run.Client.DialAsync(TestMesh.EmptyVip, TestMesh.Port, 5);

        // Each reviews backend greets with its name and a newline ("reviews-a\n": 10 bytes), then echoes.
        const int greeting = 10;
        Assert.Equal(32, dialed.Succeeded);
        Assert.Equal(5, refused.ErrorCount("EHOSTUNREACH"));
        const string reviews = "{destination_service=\"reviews\",reporter=\"source\"}";
        Assert.Equal(37, await prometheus.WaitForAsync($"istio_tcp_connections_closed_total{reviews}", v => v >= 37, TimeSpan.FromSeconds(30)));
        Assert.Equal(37, await prometheus.QueryAsync($"istio_tcp_connections_opened_total{reviews}"));
        Assert.Equal(connections * requestBytes, await prometheus.QueryAsync($"istio_tcp_received_bytes_total{reviews}"));
        Assert.Equal(connections * (requestBytes + greeting) + 32 * greeting, await prometheus.QueryAsync($"istio_tcp_sent_bytes_total{reviews}"));
        Assert.Equal(5, await prometheus.WaitForAsync("kmesh_connections_denied_total{reason=\"no_endpoint\",destination_service=\"empty\"}", v => v >= 5, TimeSpan.FromSeconds(30)));
        Assert.Equal(37, await prometheus.QueryAsync("kmesh_connect_decisions_total{reason=\"routed\"}"));
        Assert.Equal(1, await prometheus.QueryAsync("kmesh_ready"));
    }

    [KernelFact]
    public async Task Metrics_PassPromtoolCheck_OnBothPaths()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());
        await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 3);

        foreach (var path in new[] { "/metrics", "/stats/prometheus" })
        {
            var (status, text) = await Admin.GetAsync(run.Daemon, path);
            Assert.Equal(200, status);
            Assert.Contains("kmesh_connect_decisions_total{reason=\"routed\"} 3", text);
            Assert.Contains("process_cpu_seconds_total", text);
            var (exit, output) = await PromtoolCheckAsync(text);
            Assert.True(exit == 0, $"promtool check metrics failed ({exit}): {output}");
        }
    }

    private static async Task<(int Exit, string Output)> PromtoolCheckAsync(string metrics)
    {
        var info = new ProcessStartInfo("promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(metrics);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}
