using System.Net;
using Kmesh.Xds.Ads;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>Backoff and node identity.</summary>
public sealed class AdsClientPartsTests
{
    [Fact]
    public void Backoff_DoublesUpToTheCap_WithJitter_AndResets()
    {
        var backoff = new AdsBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1000), new Random(1));
        var delays = Enumerable.Range(0, 8).Select(_ => backoff.Next().TotalMilliseconds).ToList();

        double[] caps = [100, 200, 400, 800, 1000, 1000, 1000, 1000];
        for (var i = 0; i < caps.Length; i++)
            Assert.InRange(delays[i], caps[i] / 2, caps[i]);
        Assert.True(delays.Skip(4).Distinct().Count() > 1, "no jitter");
        backoff.Reset();
        Assert.InRange(backoff.Next().TotalMilliseconds, 50, 100);
    }

    [Fact]
    public void Node_HasIstiosIdAndMetadata()
    {
        var node = XdsNodeIdentity.Build(new XdsClientOptions
        {
            Address = "istiod:15012",
            Namespace = "shop",
            ClusterId = "east",
            Labels = new Dictionary<string, string> { ["app"] = "cart" },
        });

        Assert.Matches(@"^sidecar~[0-9.]+~[^~]+\.shop~shop\.svc\.cluster\.local$", node.Id);
        Assert.Equal("east", node.Metadata.Fields["CLUSTER_ID"].StringValue);
        Assert.Equal("cart", node.Metadata.Fields["LABELS"].StructValue.Fields["app"].StringValue);
        Assert.Equal("sidecar~10.1.2.3~pod.ns~ns.svc.cluster.local", XdsNodeIdentity.DefaultId(IPAddress.Parse("10.1.2.3"), "pod", "ns"));
        Assert.Equal("given", XdsNodeIdentity.Build(new XdsClientOptions { Address = "x:1", NodeId = "given" }).Id);
    }
}
