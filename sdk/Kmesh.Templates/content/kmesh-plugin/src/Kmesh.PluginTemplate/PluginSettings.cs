namespace Kmesh.PluginTemplate;

/// <summary>The plugin's settings; the translator writes them into the eBPF program's maps.</summary>
public static class PluginSettings
{
    /// <summary>Destination ports whose connects are refused with ECONNREFUSED.</summary>
    public static IReadOnlyList<ushort> DeniedPorts { get; } = [/*port*/9];
}
