using System.Runtime.InteropServices;

namespace Kmesh.Plugins.Accelerate;

/// <summary><c>struct acc_settings</c> (accelerate.h): what the kernel side needs to know of the arguments.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct AccelerateSettings
{
    /// <summary>How many workload cgroups opted out (then listeners are only learnt at listen(), where their cgroup is known).</summary>
    public uint ExcludedCgroups;

    /// <summary>Reserved.</summary>
    public uint Reserved;
}
