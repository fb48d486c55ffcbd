using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.PluginTemplate;

/// <summary>
/// The C# half of the plugin. The daemon calls it with every new mesh configuration and makes
/// the eBPF maps hold exactly what it declares here (adding, updating and removing entries).
/// It must be pure: no I/O, no clock, the same snapshot gives the same output.
/// </summary>
public sealed class PortDenyTranslator : ITranslator
{
    /// <summary>The map of denied ports in kmesh-plugin-template.bpf.c (key: <see cref="PortDenyKey"/>, value: <see cref="PortDenyRule"/>).</summary>
    public const string DeniedPortsMap = "deny_ports";

    /// <summary>The errno a denied connect fails with (the kernel's ECONNREFUSED).</summary>
    public const int ECONNREFUSED = 111;

    /// <summary>The pinned counter map in kmesh-plugin-template.bpf.c: connects seen by the program.</summary>
    public const string SeenMap = "kmesh_plugin_template_seen";

    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
        // Key and value types mirror the C map's struct port_deny_key and struct port_deny_rule
        // (PortDenyMaps.cs; the test project checks them against the object's BTF).
        var denied = output.Map<PortDenyKey, PortDenyRule>(DeniedPortsMap);
        foreach (var port in PluginSettings.DeniedPorts)
            denied.Set(new PortDenyKey(port), new PortDenyRule(ECONNREFUSED, KmReason.Policy));

        // The snapshot holds the mesh in Envoy's v3 types: a plugin that acts per service reads
        // snapshot.Listeners / Clusters / Endpoints / Routes and keys its maps by snapshot.Ids.
        // Findings about a resource go to output.Warn / Error / Info (the daemon logs them).
    }
}
