using Xunit;

namespace Kmesh.Sdk.Testing;

/// <summary>
/// An xunit <c>[Fact]</c> for tests that need the kernel (root, cgroup v2, netns, bpffs): it is
/// skipped with the reason when <see cref="KernelRequirement"/> is not met, unless
/// <c>KMESH_REQUIRE_BPF=1</c>, in which case it runs and <see cref="KernelSandbox.CreateAsync"/>
/// fails with that reason.
/// </summary>
public sealed class KernelFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> from <see cref="KernelRequirement.SkipReason"/>.</summary>
    public KernelFactAttribute()
    {
        if (KernelRequirement.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
