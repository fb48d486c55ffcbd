using Kmesh.Core.Hosting;

namespace Kmesh.Core.Tests.Hosting;

/// <summary>The daemon collects its heap after an update that translated much, and after the one following it; never between small ones.</summary>
public sealed class MemoryReliefTests
{
    [Fact]
    public void CollectsAfterALargeUpdateAndTheNext_NotAfterSmallOnes()
    {
        var relief = new MemoryRelief();
        relief.AfterUpdate(1);
        relief.AfterUpdate(MemoryRelief.LargeUpdate - 1);
        Assert.Equal(0, relief.Collections);
        relief.AfterUpdate(30_000); // a first push of 10 000 services
        Assert.Equal(1, relief.Collections);
        relief.AfterUpdate(1); // what the large one left is garbage now
        Assert.Equal(2, relief.Collections);
        relief.AfterUpdate(1);
        relief.AfterUpdate(1);
        Assert.Equal(2, relief.Collections);
    }
}
