using Kmesh.Core.Hosting;

namespace Kmesh.Core.Tests.Hosting;

/// <summary>The daemon collects its heap after an update that built anew or let go much; never after small ones.</summary>
public sealed class MemoryReliefTests
{
    [Fact]
    public void CollectsAfterALargeUpdate_NotAfterSmallOnes()
    {
        var relief = new MemoryRelief();
        relief.AfterUpdate(1);
        relief.AfterUpdate(MemoryRelief.LargeUpdate - 1);
        Assert.Equal(0, relief.Collections);
        relief.AfterUpdate(30_000); // a first push of 10 000 services
        Assert.Equal(1, relief.Collections);
        relief.AfterUpdate(1); // a one-endpoint change after it
        relief.AfterUpdate(1);
        Assert.Equal(1, relief.Collections);
        relief.AfterUpdate(30_000); // the push reverted: it dropped 30 000 resources
        Assert.Equal(2, relief.Collections);
    }
}
