using Kmesh.Sdk.Testing;

namespace Kmesh.Sdk.Tests;

/// <summary>
/// Chain ABI 1.4's skipped slots, in the kernel: a plugin that declared connect work for some
/// services only (the idle fixture: work for 'web', refuses whatever it sees with EACCES) is
/// passed over for the others and still runs for its own; an older-minor plugin after it (the
/// olderminor fixture, ABI 1.0, refuses port 8081 with EPERM), which declares nothing, runs for
/// every service.
/// </summary>
public sealed class SkippedSlotTests
{
    private const string Vip = "127.32.0.10";

    [KernelFact]
    public async Task PluginWithoutWorkForTheService_IsPassedOver_OneWithWorkAndAnOlderMinorOneStillRun()
    {
        await using var sandbox = await KernelSandbox.CreateAsync();
        await sandbox.StartBackendsAsync(new BackendSpec("web-1", "127.0.1.1", 8080));
        await using var core = await KmeshCore.StartAsync(sandbox, ThreeServiceConfig,
            pluginDirs: [RepoPaths.Plugins, RepoPaths.TestPlugins], plugins: ["routing", "idle", "olderminor", "loadbalance"], daemonDll: RepoPaths.DaemonDll);
        await using var client = await sandbox.ClientAsync();

        var withWork = await client.DialAsync(Vip, 8080, count: 3);
        var olderMinor = await client.DialAsync(Vip, 8081, count: 3);
        var passedOver = await client.DialAsync(Vip, 8082, count: 3);

        Assert.True(withWork.ErrorCount("EACCES") == 3, withWork.ToString());
        Assert.True(olderMinor.ErrorCount("EPERM") == 3, olderMinor.ToString());
        // Had the idle fixture run, these would fail with EACCES.
        Assert.True(passedOver.Count("web-1") == 3, passedOver.ToString());
    }

    // Three services on one cluster: web (8080, the idle fixture's), web-admin (8081, which
    // the olderminor fixture refuses) and web-alt (8082).
    private const string ThreeServiceConfig = """
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
          - name: web-alt
            address: { socket_address: { address: "127.32.0.10", port_value: 8082 } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: web-alt
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
