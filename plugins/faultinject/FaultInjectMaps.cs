namespace Kmesh.Plugins.FaultInject;

/// <summary>Names and constants of the fault-injection object (faultinject.h).</summary>
internal static class FaultInjectMaps
{
    public const string Faults = "fi_faults";

    /// <summary><c>FI_MILLION</c>: shares are in parts per million.</summary>
    public const uint Million = 1_000_000;
}
