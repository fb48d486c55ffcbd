using System.Diagnostics;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>The daemon's metrics, scraped by a real Prometheus and checked by promtool.</summary>
public sealed class MetricsTests
{
    [KernelFact]
    public async Task APrometheusScrapingTheDaemon_CountsExactlyTheConnectsMade()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());
        await using var prometheus = await PrometheusServer.StartAsync(await run.Daemon.AdminUrlAsync());

        var result = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 37);
        var faults = await run.Client.DialAsync(TestMesh.EmptyVip, TestMesh.Port, 5);

        Assert.Equal(37, result.Succeeded);
        Assert.Equal(5, faults.ErrorCount("EHOSTUNREACH"));
        var routed = await prometheus.WaitForAsync("kmesh_connect_decisions_total{reason=\"routed\"}", v => v >= 37, TimeSpan.FromSeconds(30));
        Assert.Equal(37, routed);
        Assert.Equal(5, await prometheus.WaitForAsync("kmesh_connect_decisions_total{reason=\"no_endpoint\"}", v => v >= 5, TimeSpan.FromSeconds(30)));
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
