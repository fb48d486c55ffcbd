using System.Globalization;
using Envoy.Config.Cluster.V3;
using Envoy.Service.Discovery.V3;
using Kmesh.Sdk.Testing;
using Kmesh.Xds;
using Xunit.Abstractions;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// Same-node acceleration under real applications: server and client are real programs started in
/// the governed cgroup (so both ends are local workloads), the client dials the service VIP, and
/// every byte goes socket to socket. Each test shows the answers are exact and that the connections
/// really were accelerated (acc_counters: connections, and bytes covering the traffic).
/// </summary>
[Collection(GovernanceCollection.Name)]
public sealed class AccelerateApplicationTests(ITestOutputHelper output)
{
    private const int MiB = 1024 * 1024;

    /// <summary>
    /// HTTP/1.1 keep-alive: two curl clients at once, each fetching 150 small files and, three times,
    /// a large one that nginx sends with sendfile(2), all on one connection per client.
    /// </summary>
    [KernelFact]
    public async Task HttpKeepAliveThroughNginx_ServesExactBodies_OnFewAcceleratedConnections()
    {
        const string vip = "127.20.0.61", server = "127.0.7.2";
        const int clients = 2, largeFetches = 3;
        await using var mesh = await AcceleratedService.StartAsync(vip, 80, server, 8080);
        using var site = NginxSite.Create($"{server}:8080", smallFiles: 150, largeBytes: 16 * MiB, seed: 17);
        await using var nginx = await mesh.Sandbox.StartProcessAsync(Installed("nginx"), site.Arguments);
        await nginx.WaitForListenerAsync(8080);
        Assert.True(mesh.IsGoverned(nginx.Pid), "nginx must run in the governed cgroup, or nothing is accelerated");

        var runs = Enumerable.Range(0, clients).Select(k => CurlKeepAliveAsync(mesh.Sandbox, site, vip, k, largeFetches)).ToList();
        var fetched = await Task.WhenAll(runs);
        var counters = await mesh.CountersAsync();

        foreach (var (transfers, connects, files) in fetched)
        {
            Assert.Equal(site.Paths.Count - 1 + largeFetches, transfers);
            Assert.Equal(1, connects); // keep-alive: every request of a client on its one connection
            foreach (var (urlPath, received) in files)
                Assert.True(NginxSite.Sha256(site.FileOf(urlPath)) == NginxSite.Sha256(received), $"{urlPath} arrived changed");
        }
        var bodies = (ulong)fetched.SelectMany(f => f.Files).Sum(f => new FileInfo(f.Received).Length);
        output.WriteLine($"{fetched.Sum(f => f.Transfers)} requests, {bodies} bytes of bodies; {counters}");
        Assert.Equal((ulong)clients, counters.Connections);
        Assert.True(counters.Bytes >= bodies, $"acc_counters {counters} do not cover the {bodies} bytes of bodies\n{mesh.Core.Daemon.Log}");
    }

    /// <summary>
    /// gRPC over HTTP/2: our ADS server (kmesh xds serve) and an ADS client, both in the cgroup, on one
    /// bidi stream: the full cluster set (hundreds of KiB), then, after the files change, a push of the new set.
    /// </summary>
    [KernelFact]
    public async Task GrpcBidiStreamToAnAdsServer_DeliversEveryPushExactly_OverOneAcceleratedConnection()
    {
        const string vip = "127.20.0.62";
        const int port = 18000;
        await using var mesh = await AcceleratedService.StartAsync(vip, port, "127.0.0.1", port); // kmesh-xds listens on 127.0.0.1
        var dir = Directory.CreateTempSubdirectory("kmt-ads-").FullName;
        try
        {
            var served = Path.Combine(dir, "served");
            var received = Path.Combine(dir, "received");
            Directory.CreateDirectory(served);
            var versions = new[] { Clusters(300, 60, firstPort: 1000), Clusters(320, 60, firstPort: 2000) };
            await File.WriteAllTextAsync(Path.Combine(served, "clusters.yaml"), versions[0]);
            var quiet = new Dictionary<string, string> { ["DOTNET_EnableDiagnostics"] = "0" }; // no profiler or coverage collector in the children

            await using var xds = await mesh.Sandbox.StartProcessAsync(RepoPaths.DotnetHost,
                [RepoPaths.XdsServerDll, "serve", "--dir", served, "--port", port.ToString(CultureInfo.InvariantCulture)], environment: quiet);
            await xds.WaitForListenerAsync(port, TimeSpan.FromSeconds(60));
            await using var client = await mesh.Sandbox.StartProcessAsync(RepoPaths.DotnetHost,
                [RepoPaths.AdsStreamDll, "--target", $"http://{vip}:{port}", "--out", received, "--responses", "2"], environment: quiet);
            Assert.True(mesh.IsGoverned(xds.Pid) && mesh.IsGoverned(client.Pid), "both ends must run in the governed cgroup");
            await client.WaitForOutputAsync("^response 1 ", TimeSpan.FromSeconds(60));
            var next = Path.Combine(served, "clusters.next"); // not *.yaml: the server reads it only once renamed
            await File.WriteAllTextAsync(next, versions[1]);
            File.Move(next, Path.Combine(served, "clusters.yaml"), overwrite: true);
            var exit = await client.WaitForExitAsync(TimeSpan.FromSeconds(60));
            var counters = await mesh.CountersAsync();

            Assert.True(exit == 0, string.Join('\n', client.Output) + "\n" + string.Join('\n', xds.Output));
            var responses = new[] { 1, 2 }.Select(i => DiscoveryResponse.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(received, $"response-{i}.pb")))).ToList();
            for (var i = 0; i < versions.Length; i++)
            {
                var expected = EnvoyConfigFile.Parse("clusters.yaml", versions[i]).Clusters.ToDictionary(c => c.Name);
                var got = responses[i].Resources.Select(r => r.Unpack<Cluster>()).ToDictionary(c => c.Name);
                Assert.Equal(expected.Keys.Order(), got.Keys.Order());
                Assert.All(expected, e => Assert.Equal(e.Value, got[e.Key]));
            }
            Assert.NotEqual(responses[0].VersionInfo, responses[1].VersionInfo);
            var pushed = (ulong)responses.Sum(r => r.CalculateSize());
            output.WriteLine($"2 responses, {pushed} bytes; {counters}");
            Assert.Equal(1ul, counters.Connections);
            Assert.True(counters.Bytes >= pushed, $"acc_counters {counters} do not cover the {pushed} bytes pushed\n{mesh.Core.Daemon.Log}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// One curl in the cgroup fetching every small file and, <paramref name="largeFetches"/> times
    /// spread over the run, the large one, from the VIP with HTTP/1.1 keep-alive. Returns the number of
    /// transfers, how many connections curl opened for them, and where each body was saved.
    /// </summary>
    private static async Task<(int Transfers, int Connects, List<(string UrlPath, string Received)> Files)> CurlKeepAliveAsync(
        KernelSandbox sandbox, NginxSite site, string vip, int client, int largeFetches)
    {
        var small = site.Paths.Where(p => p != "/large.bin").ToList();
        var order = small.Skip(client * 50).Concat(small.Take(client * 50)).ToList(); // each client in its own order
        for (var i = 0; i < largeFetches; i++)
            order.Insert(i * order.Count / largeFetches, "/large.bin"); // spread out: first, then every so often
        var outDir = Path.Combine(site.Root, $"client-{client}");
        Directory.CreateDirectory(outDir);
        var files = order.Select((p, i) => (UrlPath: p, Received: Path.Combine(outDir, $"{i}.bin"))).ToList();
        var list = Path.Combine(site.Root, $"client-{client}.curl");
        await File.WriteAllLinesAsync(list, files.SelectMany(f => new[] { $"url = \"http://{vip}{f.UrlPath}\"", $"output = \"{f.Received}\"" }));

        await using var curl = await sandbox.StartProcessAsync(Installed("curl"),
            ["--http1.1", "--silent", "--show-error", "--fail", "--max-time", "120", "--config", list, "--write-out", "%{num_connects} %{http_code}\\n"]);
        var exit = await curl.WaitForExitAsync(TimeSpan.FromSeconds(150));
        Assert.True(exit == 0, $"curl exited {exit}: {string.Join('\n', curl.Output)}");
        var lines = curl.Output.Select(l => l.Split(' ')).Where(f => f.Length == 2).ToList();
        Assert.All(lines, f => Assert.Equal("200", f[1]));
        return (lines.Count, lines.Sum(f => int.Parse(f[0], CultureInfo.InvariantCulture)), files);
    }

    /// <summary>Cluster resources: <paramref name="count"/> STATIC clusters of <paramref name="endpoints"/> endpoints each.</summary>
    private static string Clusters(int count, int endpoints, int firstPort)
    {
        var b = new System.Text.StringBuilder("resources:\n");
        for (var c = 0; c < count; c++)
        {
            b.Append(CultureInfo.InvariantCulture, $"""
                - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
                  name: cluster-{c:D4}
                  type: STATIC
                  load_assignment:
                    cluster_name: cluster-{c:D4}
                    endpoints:
                    - lb_endpoints:

                """);
            for (var e = 0; e < endpoints; e++)
                b.Append(CultureInfo.InvariantCulture, $"      - endpoint: {{ address: {{ socket_address: {{ address: 10.{c / 250}.{c % 250}.{e + 1}, port_value: {firstPort + e} }} }} }}\n");
        }
        return b.ToString();
    }

    /// <summary>A Debian tool the test needs, with what to install when it is missing (./kmesh test installs it).</summary>
    private static string Installed(string tool)
    {
        var path = new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
        return path ?? throw new InvalidOperationException($"{tool} is not installed: apt-get install {tool} (./kmesh test installs it)");
    }
}
