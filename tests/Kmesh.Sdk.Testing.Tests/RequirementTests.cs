using Kmesh.Sdk.Testing;

namespace Kmesh.Sdk.Testing.Tests;

/// <summary>The requirement probe and the skip rule of the attributes.</summary>
public sealed class RequirementTests
{
    [Fact]
    public void Attributes_skip_exactly_when_the_requirement_says_so()
    {
        Assert.Equal(KernelRequirement.SkipReason, new KernelFactAttribute().Skip);
        Assert.Equal(KernelRequirement.SkipReason, new KernelTheoryAttribute().Skip);
        Assert.Equal(KernelRequirement.IsMet, KernelRequirement.UnmetReason is null);
        if (KernelRequirement.IsRequired)
        {
            Assert.Null(KernelRequirement.SkipReason);
        }
    }

    [KernelFact]
    public void When_met_cgroup2_and_bpffs_are_mounted()
    {
        var mounts = File.ReadAllLines("/proc/self/mountinfo");
        Assert.Contains(mounts, l => l.Contains($" {KernelRequirement.Cgroup2Root} ") && l.Contains(" - cgroup2 "));
        Assert.Contains(mounts, l => l.Contains($" {KernelRequirement.BpffsRoot} ") && l.Contains(" - bpf "));
    }
}
