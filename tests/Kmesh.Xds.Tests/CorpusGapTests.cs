namespace Kmesh.Xds.Tests;

/// <summary>
/// Corpus files that do not load today, each refused at the exact place with the reason: a
/// field newer than the Envoy API Kmesh compiles, on a type it does know. (Types it does not
/// know at all are warnings, not refusals: see <see cref="IstioCorpusTests"/>.) A test here
/// failing after an upgrade of the protos is good news: move the file to the passing tests.
/// </summary>
public class CorpusGapTests
{
    [Theory]
    // LocalRateLimit.rate_limits is newer than the envoy-api the pinned package vendors.
    [InlineData("envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__local-ratelimit.routes.yaml",
        36, "unknown field 'rateLimits' in envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit")]
    // So is ClientSideWeightedRoundRobin.metric_names_for_computing_utilization. (The file's
    // override_host policy, line 243, is a type that is newer too: only a warning.)
    [InlineData("envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__load-balancer.clusters.yaml",
        375, "unknown field 'metricNamesForComputingUtilization' in envoy.extensions.load_balancing_policies.client_side_weighted_round_robin.v3.ClientSideWeightedRoundRobin")]
    public void RefusedPrecisely(string file, int line, string reason)
    {
        var ex = Assert.Throws<ConfigParseException>(() => TestData.Load(file));

        Assert.Equal(line, ex.Line);
        Assert.Contains(reason, ex.Message);
        Assert.StartsWith(TestData.PathOf(file) + $":{line}:", ex.Message);
    }
}
