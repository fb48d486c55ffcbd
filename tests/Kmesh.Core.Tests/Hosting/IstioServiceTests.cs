using Kmesh.Sdk.Snapshot;
using Kmesh.Core.Telemetry;

namespace Kmesh.Core.Tests.Hosting;

/// <summary>Istio's destination labels, read from the cluster a connection went to.</summary>
public sealed class IstioServiceTests
{
    [Theory]
    [InlineData("outbound|9080|v2|reviews.default.svc.cluster.local", "reviews.default.svc.cluster.local", "reviews", "default", "v2")]
    [InlineData("outbound|9080||reviews.default.svc.cluster.local", "reviews.default.svc.cluster.local", "reviews", "default", "unknown")]
    [InlineData("outbound|443||api.example.com", "api.example.com", "api", "unknown", "unknown")]
    [InlineData("reviews", "reviews", "reviews", "unknown", "unknown")]
    [InlineData("outbound|9080", "outbound|9080", "outbound|9080", "unknown", "unknown")]
    [InlineData("", "unknown", "unknown", "unknown", "unknown")]
    public void ClusterName_GivesIstiosDestinationLabels(string cluster, string service, string name, string ns, string version) =>
        Assert.Equal(new IstioService(service, name, ns, version), IstioService.Of(cluster));
}
