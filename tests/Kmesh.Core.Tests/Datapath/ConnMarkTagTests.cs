using Kmesh.Core.Datapath;

namespace Kmesh.Core.Tests.Datapath;

/// <summary>
/// The owner tag of a plugin's km_conn mark (chain ABI 1.5) must name the same plugin in every
/// daemon: marks left on open connections are read by the next daemon after an adopting restart.
/// </summary>
public class ConnMarkTagTests
{
    [Fact]
    public void Tag_IsTheSameNumberInEveryProcess_FitsTheMarksUpper24Bits_AndIsNeverZero()
    {
        // Pinned (FNV-1a folded to 24 bits, worked out outside .NET): a tag that changed between
        // versions would orphan the marks of open connections.
        Assert.Equal(0x58a322u, ConnMarkTag.Of("circuitbreaker"));
        foreach (var name in new[] { "", "a", "circuitbreaker", "accelerate", new string('x', 300) })
        {
            var tag = ConnMarkTag.Of(name);
            Assert.InRange(tag, 1u, 0xffffffu);
        }
    }

    [Fact]
    public void ShippedPlugins_HaveDistinctTags()
    {
        string[] shipped = ["routing", "ratelimit", "faultinject", "circuitbreaker", "loadbalance", "accelerate"];

        Assert.Equal(shipped.Length, shipped.Select(ConnMarkTag.Of).Distinct().Count());
    }
}
