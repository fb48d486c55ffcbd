using Kmesh.Sdk.Testing;

namespace Kmesh.Demo;

/// <summary>
/// The demo's last act: what an operator looks at on a live node — <c>kmesh ctl status</c>,
/// the per-service connection counts Prometheus scrapes from <c>/metrics</c>, and the access log.
/// </summary>
internal static class OperatorView
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Metric families worth showing, in this order; the first ones the daemon exports are shown.</summary>
    private static readonly string[] Families = ["istio_tcp_connections_opened_total", "istio_tcp_sent_bytes_total", "kmesh_connections_denied_total", "kmesh_connect_decisions_total"];

    public static async Task ShowAsync(string daemonDll, DaemonProcess daemon, string? accessLog)
    {
        var admin = await daemon.AdminUrlAsync();
        Showcase.Step($"What an operator sees: kmesh ctl status --admin {admin.Authority}");
        await KmeshCli.RunAsync(daemonDll, "ctl", "status", "-o", "table", "--admin", admin.Authority);

        Showcase.Step($"Per-service counts, counted in the kernel, as Prometheus scrapes them from {admin}metrics");
        var metrics = await Http.GetStringAsync(new Uri(admin, "/metrics"));
        foreach (var family in Families)
        {
            var lines = metrics.Split('\n').Where(l => l.StartsWith(family + "{", StringComparison.Ordinal)).Take(8).ToList();
            foreach (var line in lines)
                Console.WriteLine($"    {Shorten(line)}");
        }

        if (accessLog is not null && File.Exists(accessLog))
        {
            Showcase.Step($"The access log ({Path.GetFileName(accessLog)}): one JSON line per closed or refused connection; the last few");
            foreach (var line in File.ReadLines(accessLog).TakeLast(4))
                Console.WriteLine($"    {line}");
        }
    }

    /// <summary>Istio's label set is long; the demo shows the labels that tell the series apart.</summary>
    private static string Shorten(string line)
    {
        var open = line.IndexOf('{');
        var close = line.LastIndexOf('}');
        if (open < 0 || close < open)
            return line;
        var keep = line[(open + 1)..close].Split("\",").Select(l => l.TrimEnd('"') + "\"")
            .Where(l => l.StartsWith("destination_service=", StringComparison.Ordinal) || l.StartsWith("reason=", StringComparison.Ordinal));
        return $"{line[..open]}{{{string.Join(",", keep)}}}{line[(close + 1)..]}";
    }
}
