namespace Kmesh.Bpf.Tests.Infrastructure;

/// <summary>
/// A fact that needs the real kernel. Skipped when root, cgroup v2 or bpffs is missing - unless
/// <c>KMESH_REQUIRE_BPF=1</c>, in which case it runs and <see cref="KernelSandbox"/> fails it
/// with the reason.
/// </summary>
public sealed class KernelFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> from the probed requirements.</summary>
    public KernelFactAttribute()
    {
        if (KernelRequirements.MissingReason is { } reason && !KernelRequirements.Required)
            Skip = $"Needs the kernel: {reason}. Set KMESH_REQUIRE_BPF=1 to fail instead.";
    }
}
