using System.Runtime.InteropServices;

namespace Kmesh.Plugins.FaultInject;

/// <summary><c>struct fi_fault</c> (faultinject.h): the connect-time fault of one service.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct FaultEntry
{
    /// <summary>Share of new connects refused, in parts per million.</summary>
    public uint AbortPerMillion;
    /// <summary>Reserved.</summary>
    public uint Flags;
}
