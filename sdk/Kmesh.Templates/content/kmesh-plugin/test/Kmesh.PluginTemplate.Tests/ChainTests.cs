using Kmesh.Sdk.Manifest;
using Kmesh.Sdk.Testing;

namespace Kmesh.PluginTemplate.Tests;

/// <summary>
/// The plugin in the real kmesh daemon (shipped in Kmesh.Sdk.Testing), chained before Kmesh's own
/// routing and loadbalance plugins, on real connects made in a throw-away network namespace and
/// cgroup. Needs root, cgroup v2, bpffs and bpftool; skipped otherwise (KMESH_REQUIRE_BPF=1 fails instead).
/// </summary>
public sealed class ChainTests
{
    private const string Vip = "127.30.0.10"; // a service VIP: nothing listens there
    private const int ServicePort = 8080;
    private const string DeniedV4 = "127.0.2.1";
    private const string DeniedV6 = "fd00:30::1";
    private static readonly int DeniedPort = PluginSettings.DeniedPorts[0];

    [KernelFact]
    public async Task RefusesTheDeniedPort_CountsConnects_AndLeavesTheRestToRouting()
    {
        // The manifest the build generated (kmesh-plugin.json) lands next to this assembly.
        var manifest = PluginManifest.Load(Path.Combine(AppContext.BaseDirectory, PluginManifest.FileName));
        await using var sandbox = await KernelSandbox.CreateAsync(new SandboxOptions { Addresses = [DeniedV6] });
        await sandbox.StartBackendsAsync(
            new BackendSpec("web-1", "127.0.1.1", ServicePort),
            new BackendSpec("web-2", "127.0.1.2", ServicePort),
            new BackendSpec("denied-port-v4", DeniedV4, DeniedPort),
            new BackendSpec("denied-port-v6", DeniedV6, DeniedPort));
        await using var core = await KmeshCore.StartAsync(sandbox, MeshConfig,
            pluginDirs: [AppContext.BaseDirectory],
            plugins: [manifest.Name, "routing", "loadbalance"]);
        Assert.Contains(core.Daemon.Lines, line => line.Contains($"Plugin {manifest.Name} {manifest.Version}"));
        await using var client = await sandbox.ClientAsync();

        var service = await client.DialAsync(Vip, ServicePort, count: 4);
        var direct = await client.DialAsync("127.0.1.1", ServicePort, count: 1);
        var v4 = await client.DialAsync(DeniedV4, DeniedPort, count: 3);
        var v6 = await client.DialAsync(DeniedV6, DeniedPort, count: 3);

        // Not on a denied port: routing and loadbalance decide as without the plugin.
        Assert.True(service.Count("web-1") == 2 && service.Count("web-2") == 2, $"service: {service}");
        Assert.True(direct.Count("web-1") == 1, $"direct: {direct}");
        // On a denied port: refused on the hooks the plugin serves, untouched on the others.
        var seen = 0;
        if (manifest.Hooks.Contains("connect4"))
        {
            Assert.True(v4.ErrorCount("ECONNREFUSED") == 3, $"IPv4 to port {DeniedPort}: {v4}");
            seen += service.Total + direct.Total + v4.Total;
        }
        else
        {
            Assert.True(v4.Count("denied-port-v4") == 3, $"IPv4 to port {DeniedPort}: {v4}");
        }
        if (manifest.Hooks.Contains("connect6"))
        {
            Assert.True(v6.ErrorCount("ECONNREFUSED") == 3, $"IPv6 to port {DeniedPort}: {v6}");
            seen += v6.Total;
        }
        else
        {
            Assert.True(v6.Count("denied-port-v6") == 3, $"IPv6 to port {DeniedPort}: {v6}");
        }
        // The program counted the connects it saw in its pinned map.
        Assert.True(await core.ReadCounterAsync(PortDenyTranslator.SeenMap) >= (ulong)seen);
    }

    private const string MeshConfig = """
        static_resources:
          listeners:
          - name: web
            address: { socket_address: { address: "127.30.0.10", port_value: 8080 } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: web
                  cluster: web
          clusters:
          - name: web
            type: STATIC
            lb_policy: ROUND_ROBIN
            load_assignment:
              cluster_name: web
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: "127.0.1.1", port_value: 8080 } } }
                - endpoint: { address: { socket_address: { address: "127.0.1.2", port_value: 8080 } } }
        """;
}
