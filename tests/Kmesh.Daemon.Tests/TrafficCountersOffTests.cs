using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// <c>kmesh run --traffic-counters off</c>: connects are governed exactly as with counting on, but
/// nothing is counted per service (the bench's baseline for what counting costs). The default,
/// counting on, is MetricsTests' and TrafficCounterTests' subject.
/// </summary>
public sealed class TrafficCountersOffTests
{
    [KernelFact]
    public async Task WithTrafficCountersOff_ConnectsAreRoutedAndRefusedAsEver_ButNoServiceTrafficIsCounted()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--traffic-counters", "off"]);

        var streamed = await run.Client.StreamAsync(TestMesh.ReviewsVip, TestMesh.Port, 1000);
        var dialed = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 8);
        var refused = await run.Client.DialAsync(TestMesh.EmptyVip, TestMesh.Port, 3);

        Assert.Equal(1000, streamed.Received);
        Assert.Equal(8, dialed.Succeeded);
        Assert.Equal(8, dialed.Count("reviews-a") + dialed.Count("reviews-b") + dialed.Count("reviews-c"));
        Assert.Equal(3, refused.ErrorCount("EHOSTUNREACH"));
        // Opened is counted (when on) as the connection is established, i.e. before connect()
        // returns, and a refusal in commit: by now a counting daemon would show both. The decision
        // counters (km_stats) are not gated, so the same scrape proves the chain saw every connect.
        var (status, metrics) = await Admin.GetAsync(run.Daemon, "/metrics");
        Assert.Equal(200, status);
        Assert.Contains("kmesh_connect_decisions_total{reason=\"routed\"} 9", metrics);
        Assert.Empty(Samples(metrics, "istio_tcp_connections_opened_total"));
        Assert.Empty(Samples(metrics, "istio_tcp_received_bytes_total"));
        Assert.Empty(Samples(metrics, "kmesh_connections_denied_total"));
        // And in the kernel: km_traffic holds only the overflow entry the core inserts at start, at zero.
        var traffic = await TrafficEntriesAsync(Path.Combine(run.Sandbox.PinPath, "km_traffic"));
        Assert.Equal(["ffffffffffffffff: zero"], traffic);
        Assert.Contains(run.Daemon.Lines, l => l.Contains("Traffic counting is off", StringComparison.Ordinal));
    }

    /// <summary>The sample lines of a metric family (not its # HELP / # TYPE lines).</summary>
    private static List<string> Samples(string metrics, string family) =>
        [.. Regex.Matches(metrics, $@"^{Regex.Escape(family)}[{{ ].*$", RegexOptions.Multiline).Select(m => m.Value)];

    /// <summary>Each entry of the per-CPU map as "key-hex: zero" or "key-hex: counted".</summary>
    private static async Task<List<string>> TrafficEntriesAsync(string pin)
    {
        var info = new ProcessStartInfo("bpftool", ["-j", "map", "dump", "pinned", pin]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
        using var dump = JsonDocument.Parse(output);
        return [.. dump.RootElement.EnumerateArray().Select(e =>
        {
            var key = string.Concat(e.GetProperty("key").EnumerateArray().Select(b => b.GetString()![2..]));
            var zero = e.GetProperty("values").EnumerateArray().All(cpu => cpu.GetProperty("value").EnumerateArray().All(b => b.GetString() == "0x00"));
            return $"{key}: {(zero ? "zero" : "counted")}";
        })];
    }
}
