using Kmesh.Core.Check;
using Kmesh.Sdk.Translation;
using static Kmesh.Core.Tests.Check.Checks;

namespace Kmesh.Core.Tests.Check;

/// <summary>
/// <c>kmesh config check</c> on files in the shapes others keep Envoy resources in (tests/shapes):
/// every resource in them is accounted for with the outcome it deserves, none lost as unknown.
/// </summary>
public class ShapeCheckTests
{
    private static FileResult Check(string name) => new ConfigCheck(OurChain).CheckFile(CorpusFiles.ShapeFile(name));

    [Fact]
    public void DeltaGoldenFile_WrappedResourcesAreApplied()
    {
        const string reviews = "outbound|9080||reviews.default.svc.cluster.local";

        var file = Check("delta-golden.yaml");

        Assert.Equal((FileStatus.Checked, "resource list", true), (file.Status, file.Shape, file.WholeFileLoads));
        Assert.Equal([$"cluster {reviews}", $"cluster load assignment {reviews}", "listener 10.96.0.21_9080"], file.Resources.Select(r => r.Resource));
        Assert.Equal(["resources[0].resource", "resources[1].resource", "resources[2].resource"], file.Resources.Select(r => r.FieldPath));
        var cluster = file.Resource($"cluster {reviews}");
        cluster.AssertOutcome(ResourceOutcome.Applied);
        Assert.Contains("2 of 2 endpoints take connects", cluster.Reason);
        file.Resource($"cluster load assignment {reviews}").AssertOutcome(ResourceOutcome.Applied);
        var listener = file.Resource("listener 10.96.0.21_9080");
        listener.AssertOutcome(ResourceOutcome.Applied);
        Assert.Contains($"10.96.0.21:9080 → cluster '{reviews}'", listener.Reason);
    }

    [Fact]
    public void SotwWrappedJson_BothClustersApplied()
    {
        var file = Check("sotw-wrapped.json");

        Assert.Equal(["cluster ratings", "cluster details"], file.Resources.Select(r => r.Resource));
        Assert.All(file.Resources, r => r.AssertOutcome(ResourceOutcome.Applied));
    }

    [Fact]
    public void WrapperNamingAnotherResource_IsRejected_NamingBothAndTheField()
    {
        var file = Checked("""
            resources:
            - name: reviews-v2
              resource: { "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster, name: reviews }
            """);

        var cluster = file.Resource("cluster reviews");
        cluster.AssertOutcome(ResourceOutcome.Rejected);
        var error = cluster.Findings[0];
        Assert.Equal((DiagnosticSeverity.Error, "resources[0].name", 2), (error.Severity, error.Field, error.Line));
        Assert.Contains("named 'reviews-v2' but the envoy.config.cluster.v3.Cluster it wraps has name 'reviews'", error.Message);
        Assert.False(file.WholeFileLoads);
    }
}
