using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Manifest;
using Kmesh.Sdk.Testing;

namespace Kmesh.Sdk.Tests;

/// <summary>
/// ABI versioning as the core applies it: an object built for an older minor of the same major
/// loads and runs (plugins need not be rebuilt when the core adds something); an object of a newer
/// minor (built by a newer SDK) is refused with both versions named, and the chain keeps serving.
/// (Another major is refused in Kmesh.Daemon.Tests' PluginIsolationTests.)
/// </summary>
public sealed class AbiCompatibilityTests
{
    private const string Vip = "127.32.0.10";

    [Fact]
    public void FixtureWithoutManifestFile_GetsOneGeneratedFromItsProperties()
    {
        var manifest = PluginManifest.Load(Path.Combine(RepoPaths.TestPlugins, "newerminor", PluginManifest.FileName));

        Assert.Equal(("newerminor", "0.1.0", RepoPaths.SdkAbiVersion, "Kmesh.TestPlugins.Newerminor.dll", "newerminor.bpf.o", 500),
            (manifest.Name, manifest.Version, manifest.Abi, manifest.Assembly, manifest.Object, manifest.Order));
        Assert.Equal(["connect4"], manifest.Hooks);
        Assert.StartsWith("Test fixture", manifest.Description);
    }

    [KernelFact]
    public async Task ObjectBuiltForANewerAbiMinor_IsRefusedNamingBothVersions_AndTheChainStillRoutes()
    {
        await using var sandbox = await KernelSandbox.CreateAsync();
        await sandbox.StartBackendsAsync(new BackendSpec("web-1", "127.0.1.1", 8080));
        await using var core = await KmeshCore.StartAsync(sandbox, MeshConfig,
            pluginDirs: [RepoPaths.Plugins, RepoPaths.TestPlugins], plugins: ["routing", "newerminor", "loadbalance"], daemonDll: RepoPaths.DaemonDll);

        var error = await core.Daemon.WaitForLineAsync("Plugin newerminor is left out", TimeSpan.FromSeconds(5));
        await using var client = await sandbox.ClientAsync();
        var result = await client.DialAsync(Vip, 8080, count: 3);

        Assert.Contains($"ABI {ChainAbi.Major}.{ChainAbi.Minor + 1}", error);
        Assert.Contains($"{ChainAbi.Major}.{ChainAbi.Minor}", error.Replace($"{ChainAbi.Major}.{ChainAbi.Minor + 1}", ""));
        Assert.Contains("upgrade the core", error);
        Assert.True(result.Count("web-1") == 3, result.ToString());
    }

    [KernelFact]
    public async Task ObjectBuiltForAnOlderAbiMinor_LoadsAndItsProgramRunsInTheChain()
    {
        await using var sandbox = await KernelSandbox.CreateAsync();
        await sandbox.StartBackendsAsync(new BackendSpec("web-1", "127.0.1.1", 8080));
        await using var core = await KmeshCore.StartAsync(sandbox, TwoServiceConfig,
            pluginDirs: [RepoPaths.Plugins, RepoPaths.TestPlugins], plugins: ["routing", "olderminor", "loadbalance"], daemonDll: RepoPaths.DaemonDll);
        await using var client = await sandbox.ClientAsync();

        var routed = await client.DialAsync(Vip, 8080, count: 3);
        var refused = await client.DialAsync(Vip, 8081, count: 3);

        Assert.True(ChainAbi.Minor > 0, "the core's ABI has no older minor to test against");
        Assert.Contains(core.Daemon.Lines, l => l.Contains("Plugin olderminor 0.1.0 (ABI 1.0) in the chain"));
        Assert.True(routed.Count("web-1") == 3, routed.ToString());
        // EPERM is what the 1.0 program denies with; without it, 8081 would route to web-1 too.
        Assert.True(refused.ErrorCount("EPERM") == 3, refused.ToString());
    }

    private const string MeshConfig = """
        static_resources:
          listeners:
          - name: web
            address: { socket_address: { address: "127.32.0.10", port_value: 8080 } }
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
            load_assignment:
              cluster_name: web
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: "127.0.1.1", port_value: 8080 } } }
        """;

    // web plus a second service on port 8081 (same cluster), which the olderminor fixture refuses.
    private const string TwoServiceConfig = """
        static_resources:
          listeners:
          - name: web
            address: { socket_address: { address: "127.32.0.10", port_value: 8080 } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: web
                  cluster: web
          - name: web-admin
            address: { socket_address: { address: "127.32.0.10", port_value: 8081 } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: web-admin
                  cluster: web
          clusters:
          - name: web
            type: STATIC
            load_assignment:
              cluster_name: web
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: "127.0.1.1", port_value: 8080 } } }
        """;
}
