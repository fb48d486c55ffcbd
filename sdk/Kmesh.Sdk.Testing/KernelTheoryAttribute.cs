using Xunit;

namespace Kmesh.Sdk.Testing;

/// <summary>
/// An xunit <c>[Theory]</c> with the skip rule of <see cref="KernelFactAttribute"/>: skipped when
/// <see cref="KernelRequirement"/> is not met, unless <c>KMESH_REQUIRE_BPF=1</c>.
/// </summary>
public sealed class KernelTheoryAttribute : TheoryAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> from <see cref="KernelRequirement.SkipReason"/>.</summary>
    public KernelTheoryAttribute()
    {
        if (KernelRequirement.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
