namespace Kmesh.Xds.Tests;

/// <summary>
/// Corpus files that do not load today, each refused at the exact place with the reason, which
/// is the list of Envoy features or types Kmesh does not know yet. A test here failing after an
/// upgrade of the protos is good news: move the file to the passing tests.
/// </summary>
public class CorpusGapTests
{
    [Theory]
    // LocalRateLimit.rate_limits is newer than the envoy-api the pinned package vendors.
    [InlineData("envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__local-ratelimit.routes.yaml",
        36, "unknown field 'rateLimits' in envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit")]
    // So is the override_host load balancing policy.
    [InlineData("envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__load-balancer.clusters.yaml",
        243, "unknown @type 'type.googleapis.com/envoy.extensions.load_balancing_policies.override_host.v3.OverrideHost'")]
    // Istio's own network filter: not an Envoy API type at all.
    [InlineData("istio__istio__istioctl__pkg__describe__testdata__describe__http_config.json",
        247, "unknown @type 'type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange'")]
    public void RefusedPrecisely(string file, int line, string reason)
    {
        var ex = Assert.Throws<ConfigParseException>(() => TestData.Load(file));

        Assert.Equal(line, ex.Line);
        Assert.Contains(reason, ex.Message);
        Assert.StartsWith(TestData.PathOf(file) + $":{line}:", ex.Message);
    }
}
