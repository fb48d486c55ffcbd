using Kmesh.Bpf;
using Kmesh.Core.Plugins;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Translation;
using McMaster.NETCore.Plugins;

namespace Kmesh.Core.Datapath;

/// <summary>A plugin that is in the chain: its translator and its loaded eBPF object.</summary>
public sealed class ActivePlugin : IDisposable
{
    internal ActivePlugin(PluginCandidate candidate, ITranslator translator, PluginLoader loader, BpfObject bpfObject, IReadOnlyDictionary<ChainHook, int> slots)
    {
        Candidate = candidate;
        Translator = translator;
        Loader = loader;
        Object = bpfObject;
        Slots = slots;
    }

    /// <summary>Where it came from.</summary>
    public PluginCandidate Candidate { get; }

    /// <summary>The plugin's name.</summary>
    public string Name => Candidate.Manifest.Name;

    /// <summary>Its translator.</summary>
    public ITranslator Translator { get; }

    /// <summary>Its tail-call slot in each chain it serves.</summary>
    public IReadOnlyDictionary<ChainHook, int> Slots { get; }

    internal PluginLoader Loader { get; }

    internal BpfObject Object { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Object.Dispose();
        Loader.Dispose();
    }
}
