using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>Parts of a config the daemon does not understand cost a warning, never the rest.</summary>
public sealed class UnsupportedConfigTests
{
    [KernelFact]
    public async Task UnknownFilterTypeBeforeTcpProxy_IsWarnedAboutWithItsLine_AndTheServiceIsRouted()
    {
        const string istioFilter = """
                  - name: istio.metadata_exchange
                    typed_config:
                      "@type": type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange
                      protocol: istio-peer-exchange

            """;
        var config = TestMesh.Config();
        var at = config.IndexOf("      - name: envoy.filters.network.tcp_proxy", StringComparison.Ordinal);
        config = config.Insert(at, istioFilter.Replace("            ", "", StringComparison.Ordinal).TrimEnd(' '));
        var typeLine = config[..config.IndexOf("metadataexchange", StringComparison.Ordinal)].Count(c => c == '\n') + 1;

        await using var run = await MeshRun.StartAsync(config);

        var warning = await run.Daemon.WaitForLineAsync("Config: .*metadataexchange", TimeSpan.FromSeconds(5));
        Assert.Contains($":{typeLine}:", warning);
        Assert.Contains("listeners[0].filter_chains[0].filters[0].typed_config", warning);
        var result = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 30);
        Assert.Equal(10, result.Count("reviews-b"));
    }
}
