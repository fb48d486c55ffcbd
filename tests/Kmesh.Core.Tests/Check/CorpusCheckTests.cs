using Envoy.Config.Endpoint.V3;
using Google.Protobuf;
using Kmesh.Core.Check;
using Kmesh.Sdk.Translation;
using Kmesh.Xds;
using static Kmesh.Core.Tests.Check.Checks;

namespace Kmesh.Core.Tests.Check;

/// <summary>
/// The conformance corpus (tests/corpus, the workplace's shared corpus: real Envoy, Istio and Envoy Gateway configuration
/// written by others) through <c>kmesh config check</c>: no file crashes the check, every item
/// the parser yields has exactly one outcome, and each has the one <see cref="CorpusExpectations"/> says.
/// </summary>
public class CorpusCheckTests
{
    public static TheoryData<string> Files() => new(CorpusFiles.Names);

    [Fact]
    public void TheRepositoryCopy_IsTheWorkplaceCorpus_ByteForByte()
    {
        // Where the workplace's shared corpus is present, the copy that CI tests must not drift from it.
        if (CorpusFiles.SharedCopy is not { } shared)
            return;
        var ours = Directory.EnumerateFiles(CorpusFiles.PathOf("")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var theirs = Directory.EnumerateFiles(shared).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(theirs, ours);
        Assert.All(ours, name => Assert.True(File.ReadAllBytes(CorpusFiles.PathOf(name!)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(shared, name!))),
            $"tests/corpus/{name} differs from {shared}/{name}: copy it again"));
    }

    [Fact]
    public void EveryCorpusFile_IsDescribed_AndEveryDescriptionHasItsFile()
    {
        Assert.Equal(CorpusExpectations.ByFile.Keys.Order(StringComparer.Ordinal), CorpusFiles.Names);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryItemTheParserYields_HasExactlyOneOutcome_NothingIsIgnored(string name)
    {
        var path = CorpusFiles.PathOf(name);

        var file = new ConfigCheck(OurChain).CheckFile(path);

        if (file.Status != FileStatus.Checked)
            return; // described in EachResource_HasItsExpectedOutcome
        var inventory = EnvoyConfigFile.Inventory(path, File.ReadAllText(path));
        Assert.Equal(inventory.Entries.Count, file.Resources.Count);
        Assert.Equal(file.Resources.Count, file.Counts.Total);
        Assert.Equal(file.Resources.Count, file.Resources.Select(r => r.Resource).Distinct().Count());
        Assert.Empty(file.Unattributed);
        // What the daemon reads (when the file loads whole) is among them, each by the name its findings use.
        if (file.WholeFileLoads)
        {
            var loaded = EnvoyConfigFile.Load(path);
            var named = loaded.Listeners.Where(l => l.Name.Length > 0).Select(l => $"listener {l.Name}")
                .Concat(loaded.Clusters.Select(c => $"cluster {c.Name}"))
                .Concat(loaded.Endpoints.Select(e => $"cluster load assignment {e.ClusterName}"))
                .Concat(loaded.Routes.Select(r => $"route configuration {r.Name}"));
            Assert.All(named, resource => Assert.Contains(resource, file.Resources.Select(r => r.Resource)));
            Assert.Equal(loaded.Listeners.Count + loaded.Clusters.Count + loaded.Endpoints.Count + loaded.Routes.Count,
                inventory.Entries.Count(e => e.Resource is not null));
        }
        // The bad input rule: which resource, which field, and why.
        foreach (var rejected in file.Resources.Where(r => r.Outcome == ResourceOutcome.Rejected))
        {
            var error = rejected.Findings[0];
            Assert.Equal(DiagnosticSeverity.Error, error.Severity);
            Assert.False(string.IsNullOrEmpty(error.Field), rejected.Describe());
            Assert.False(string.IsNullOrEmpty(error.Message), rejected.Describe());
        }
        Assert.All(file.Resources.Where(r => r.Outcome == ResourceOutcome.Partial),
            r => Assert.Contains(r.Findings, f => f.Severity == DiagnosticSeverity.Warning && f.Field.Length > 0));
        Assert.All(file.Resources.Where(r => r.Outcome == ResourceOutcome.NotUsed), r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void EachResource_HasItsExpectedOutcome(string name)
    {
        var (status, expected) = CorpusExpectations.ByFile[name];

        var file = new ConfigCheck(OurChain).CheckFile(CorpusFiles.PathOf(name));

        Assert.True(file.Status == status, $"{name}: {file.Status} {file.Problem?.Message}");
        if (expected.Length == 0)
            return; // a file described by a test of its own
        Assert.Equal(expected.Select(e => e.Resource), file.Resources.Select(r => r.Resource));
        foreach (var e in expected)
        {
            var actual = file.Resource(e.Resource);
            actual.AssertOutcome(e.Outcome);
            foreach (var says in e.Says)
                Assert.True(Mentions(actual, says), $"expected '{says}' in: {actual.Describe()}");
        }
    }

    [Fact]
    public void ZtunnelDump_IsNotEnvoyXds_AndSaysSoWithItsPlace()
    {
        var report = new ConfigCheck(OurChain).Run([CorpusFiles.PathOf("istio__istio__istioctl__pkg__writer__ztunnel__configdump__testdata__dump.json")]);

        var file = Assert.Single(report.Files);
        Assert.Equal(FileStatus.NotEnvoyXds, file.Status);
        Assert.Equal((2, 3), (file.Problem!.Line, file.Problem.Column));
        Assert.StartsWith("not Envoy xDS: ", file.Problem.Message);
        Assert.Contains("key 'workloads' fits none of them", file.Problem.Message);
        Assert.Equal(1, report.ExitCode);
    }

    [Fact]
    public void IstioEndpointDump_EveryAssignmentIsAccounted_NoneHasAClusterInTheFile()
    {
        var file = new ConfigCheck(OurChain).CheckFile(CorpusFiles.PathOf("istio__istio__istioctl__pkg__writer__envoy__configdump__testdata__endpoint__configdump.json"));

        Assert.Equal(37, file.Resources.Count);
        Assert.All(file.Resources, r =>
        {
            Assert.Equal(ConfigEntryKind.ClusterLoadAssignment, r.Kind);
            r.AssertOutcome(ResourceOutcome.NotUsed);
            Assert.StartsWith("no EDS cluster in this file takes its endpoints from it", r.Reason);
        });
    }

    [Fact]
    public void GatewayClusters_EachSaysItHasNoAssignmentInItsFile()
    {
        var clusterFiles = CorpusFiles.Names.Where(n => n.Contains("xds-ir__", StringComparison.Ordinal) && n.EndsWith(".clusters.yaml", StringComparison.Ordinal)).ToList();

        Assert.Equal(3, clusterFiles.Count);
        foreach (var cluster in clusterFiles.SelectMany(n => new ConfigCheck(OurChain).CheckFile(CorpusFiles.PathOf(n)).Resources))
        {
            if (cluster.Outcome != ResourceOutcome.Rejected)
                Assert.True(Mentions(cluster, CorpusExpectations.NoClaYet) && Mentions(cluster, "no endpoints: connects fail with EHOSTUNREACH"), cluster.Describe());
        }
    }

    /// <summary>
    /// The envoyproxy examples are front proxies bound to 0.0.0.0, which no connect-time decision
    /// can use (see <see cref="CorpusExpectations"/>). Bound to a VIP, as a mesh service is, what
    /// their HTTP filters become: the fault's abort (0%, switched on by Envoy's runtime in the
    /// example) applies and its delay needs L7; the HTTP local_ratelimit needs L7.
    /// </summary>
    [Theory]
    [InlineData("envoyproxy__examples__fault-injection__envoy.yaml", "listener (unnamed, listeners[0])",
        "10.96.0.99:9211 → cluster 'local_service'", "fault abort: 0% of new connects refused (none is)",
        "filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.delay", "faultinject")]
    [InlineData("envoyproxy__examples__local_ratelimit__envoy.yaml", "listener (unnamed, listeners[0])",
        "10.96.0.99:9902 → cluster 'envoy-stat'", null,
        "filter_chains[0].filters[0].typed_config.http_filters[0]", "ratelimit")]
    [InlineData("envoyproxy__examples__local_ratelimit__envoy.yaml", "listener (unnamed, listeners[1])",
        "10.96.0.99:10000 → cluster 'service'", null,
        "filter_chains[0].filters[0].typed_config.http_filters[0]", "ratelimit")]
    public void ExampleListener_BoundToAVip_ItsHttpFiltersAreAccountedFor(string name, string listener, string vip, string? policy, string needsL7Field, string plugin)
    {
        var text = File.ReadAllText(CorpusFiles.PathOf(name)).Replace("address: 0.0.0.0", "address: 10.96.0.99", StringComparison.Ordinal);

        var result = Checked(text, name).Resource(listener);

        result.AssertOutcome(ResourceOutcome.Partial);
        Assert.Equal(policy is null ? [vip] : [vip, policy], result.Applied.Select(f => f.Detail));
        var warning = Assert.Single(result.Findings, f => f.Field == needsL7Field);
        Assert.Equal((DiagnosticSeverity.Warning, plugin), (warning.Severity, warning.Source));
        Assert.Contains("needs L7", warning.Message);
    }

    /// <summary>
    /// The corpus's assignments that exercise priorities and locality weights, given the EDS cluster
    /// their file lacks (Envoy Gateway turns locality weighting on for weighted backends): the
    /// shares are what Envoy gives each endpoint.
    /// </summary>
    [Theory]
    [InlineData("envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__http-route-weighted-backend.endpoints.yaml",
        "first-route-dest", true,
        "4 of 4 endpoints take connects: 1.1.1.1:50001 20%, 2.2.2.2:50002 40%, 3.3.3.3:50003 20%, 4.4.4.4:50004 20%; locality weighted over 4 localities")]
    [InlineData("envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__backend-priority.endpoints.yaml",
        "envoyextensionpolicy/default/policy-for-http-route/0", false,
        "3 of 3 endpoints take connects: 8.8.8.8:9000 33.33%, 1.1.1.1:3001 33.33%, 2.2.2.2:3443 33.33%")]
    [InlineData("istio__istio__istioctl__pkg__writer__envoy__configdump__testdata__endpoint__configdump.json",
        "outbound|9080||reviews.default.svc.cluster.local", false,
        "3 of 3 endpoints take connects: 10.244.0.192:9080 33.33%, 10.244.0.193:9080 33.33%, 10.244.0.195:9080 33.33%")]
    public void CorpusAssignment_ThroughAnEdsCluster_BecomesItsShares(string name, string assignment, bool localityWeighted, string endpoints)
    {
        var cla = EnvoyConfigFile.Load(CorpusFiles.PathOf(name)).Endpoints.Single(e => e.ClusterName == assignment);
        var yaml = $$"""
            resources:
            - { "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", "name": "{{assignment}}", "type": "EDS", "eds_cluster_config": { "eds_config": { "ads": {} } }{{(localityWeighted ? """, "common_lb_config": { "locality_weighted_lb_config": {} }""" : "")}} }
            - {{Tagged(cla)}}
            """;

        var file = Checked(yaml);

        var cluster = file.Resource($"cluster {assignment}");
        cluster.AssertOutcome(ResourceOutcome.Applied);
        Assert.Equal(endpoints, cluster.Applied.Single(f => f.Kind == AppliedKind.Endpoints).Detail);
        var used = file.Resource($"cluster load assignment {assignment}");
        used.AssertOutcome(ResourceOutcome.Applied);
        Assert.Equal([$"cluster {assignment}"], used.UsedBy);
    }

    private static string Tagged(ClusterLoadAssignment cla) =>
        "{ \"@type\": \"type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment\", " + JsonFormatter.Default.Format(cla)[1..];

    private static bool Mentions(ResourceResult r, string text) =>
        r.Reason.Contains(text, StringComparison.Ordinal)
        || r.Applied.Any(f => f.Detail.Contains(text, StringComparison.Ordinal))
        || r.Findings.Any(f => f.Text.Contains(text, StringComparison.Ordinal));
}
