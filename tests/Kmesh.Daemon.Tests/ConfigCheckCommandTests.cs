using System.Text.Json;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// <c>kmesh config check</c>, the built executable with the built plugin folder: no root, no
/// kernel (plain facts: these run everywhere), exit statuses and JSON as scripts see them.
/// </summary>
public sealed class ConfigCheckCommandTests : IDisposable
{
    private const string Mesh = """
        resources:
        - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
          name: reviews
          address: { socket_address: { address: 10.96.0.15, port_value: 9080 } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.tcp_proxy
              typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: r, cluster: reviews }
        - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
          name: reviews
          type: STATIC
          load_assignment:
            cluster_name: reviews
            endpoints:
            - lb_endpoints:
              - endpoint: { address: { socket_address: { address: 10.0.0.7, port_value: 9080 } } }
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-check-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task GoodFile_ExitsZero_JsonSaysWhatEachResourceBecame()
    {
        var (exit, stdout, stderr) = await RunAsync("--json", Write("mesh.yaml", Mesh));

        Assert.True(exit == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        // Every plugin of the default plugin folder, in chain order: routing first, loadbalance after it.
        var plugins = root.GetProperty("plugins").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Equal("routing", plugins[0]);
        Assert.True(plugins.IndexOf("loadbalance") > 0, string.Join(",", plugins));
        var resources = root.GetProperty("files")[0].GetProperty("resources");
        Assert.Equal(["applied", "applied"], resources.EnumerateArray().Select(r => r.GetProperty("outcome").GetString()));
        Assert.Equal("10.96.0.15:9080 → cluster 'reviews'", resources[0].GetProperty("applied")[0].GetProperty("detail").GetString());
        Assert.Equal(0, root.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task RejectedResource_StillExitsZero_TheFileWasUnderstood()
    {
        var bad = Mesh.Replace("type: STATIC", "type: STATIC\n  lb_polcy: RANDOM", StringComparison.Ordinal);

        var (exit, stdout, _) = await RunAsync(Write("bad.yaml", bad));

        Assert.Equal(0, exit);
        Assert.Contains("REJECTED   cluster reviews (line 9): does not parse: line 12: resources[1].lb_polcy: unknown field 'lb_polcy'", stdout);
        Assert.Contains("kmesh run --config would refuse this file as a whole", stdout);
        Assert.Contains("2 resources: 1 applied, 0 partially applied, 1 rejected, 0 not used", stdout);
    }

    [Fact]
    public async Task FileThatIsNotEnvoyXds_OrMissing_ExitsOne_NamingEach()
    {
        var ztunnel = Write("ztunnel.json", """{ "workloads": [], "services": [] }""");
        var missing = Path.Combine(_dir, "missing.yaml");

        var (exit, stdout, _) = await RunAsync("--json", Write("mesh.yaml", Mesh), ztunnel, missing);

        Assert.Equal(1, exit);
        using var json = JsonDocument.Parse(stdout);
        var files = json.RootElement.GetProperty("files");
        Assert.Equal(["checked", "notEnvoyXds", "unreadable"], files.EnumerateArray().Select(f => f.GetProperty("status").GetString()));
        Assert.StartsWith($"not Envoy xDS: {ztunnel}:1:3: ", files[1].GetProperty("problem").GetProperty("message").GetString());
        Assert.StartsWith($"{missing}: ", files[2].GetProperty("problem").GetProperty("message").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("totals").GetProperty("filesNotChecked").GetInt32());
    }

    [Fact]
    public async Task ChainChosenWithPlugins_LeavesTheOthersOut_AndSaysWhy()
    {
        var (exit, stdout, _) = await RunAsync("--plugins", "routing", Write("mesh.yaml", Mesh));

        Assert.Equal(0, exit);
        Assert.Contains("chain routing ", stdout);
        Assert.Contains("not used   cluster reviews (line 9): no plugin of the chain (routing) acted on it or said why", stdout);
    }

    [Fact]
    public async Task TranslatorThatThrows_ExitsOne_NamingThePlugin()
    {
        var (exit, stdout, _) = await RunAsync("--plugin-dir", RepoPaths.TestPlugins, "--plugins", "routing,throwing,loadbalance", Write("mesh.yaml", Mesh));

        Assert.Equal(1, exit);
        Assert.Contains("NOT COMPLETE: ", stdout);
        Assert.Contains("plugin throwing: its translator threw InvalidOperationException: fixture translator failure", stdout);
    }

    [Theory]
    [InlineData(new string[0], "check needs at least one FILE")]
    [InlineData(new[] { "--jsn", "x.yaml" }, "unknown argument --jsn")]
    [InlineData(new[] { "--plugins", "routing", "--plugin-set", "set.yaml", "x.yaml" }, "--plugins and --plugin-set both choose the chain")]
    [InlineData(new[] { "--plugins", "nosuch", "x.yaml" }, "the plugin chain cannot be set up: plugin 'nosuch' was asked for but not found")]
    public async Task UsageErrors_ExitTwo_SayingWhatIsWrong(string[] arguments, string message)
    {
        var (exit, stdout, stderr) = await RunAsync(arguments);

        Assert.Equal(2, exit);
        Assert.Contains(message, stderr);
        Assert.Equal("", stdout);
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Runs <c>kmesh config check</c> with the built plugins, as <c>./kmesh config check</c> does.</summary>
    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] arguments) =>
        KmeshCommand.RunAsync(["config", "check", "--plugin-dir", RepoPaths.Plugins, .. arguments]);
}
