using System.Runtime.InteropServices;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.TestPlugins.Gate;

/// <summary>Lists every listener's service as open in gate_open (the layout of this build's version).</summary>
public sealed class GateTranslator : ITranslator
{
    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
        var open = output.Map<uint, GateEntry>("gate_open");
        foreach (var listener in snapshot.Listeners)
        {
#if GATE_V2
            open.Set(snapshot.Ids.ServiceId(listener.Name), new GateEntry { Open = 1, Version = 2 });
#else
            open.Set(snapshot.Ids.ServiceId(listener.Name), new GateEntry { Open = 1 });
#endif
        }
    }
}

/// <summary><c>struct gate_entry</c> of gate.bpf.c.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct GateEntry
{
    /// <summary>1: connects to the service go on.</summary>
    public uint Open;
#if GATE_V2
    /// <summary>Version 2's extra field: 2.</summary>
    public uint Version;
#endif
}
