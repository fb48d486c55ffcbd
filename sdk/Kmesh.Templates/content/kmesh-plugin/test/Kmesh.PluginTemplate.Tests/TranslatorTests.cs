using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.PluginTemplate.Tests;

/// <summary>The translator alone: pure C#, no kernel needed.</summary>
public sealed class TranslatorTests
{
    [Fact]
    public void Translate_WritesTheDeniedPortsIntoTheMap()
    {
        var output = new TranslationOutput();

        new PortDenyTranslator().Translate(MeshSnapshot.Empty(new StableMeshIds()), output);

        var map = Assert.Single(output.Maps);
        Assert.Equal(PortDenyTranslator.DeniedPortsMap, map.Name);
        var denied = output.Map<PortDenyKey, PortDenyRule>(PortDenyTranslator.DeniedPortsMap);
        Assert.True(denied.TryGet(new PortDenyKey(/*port*/9), out var rule));
        Assert.Equal(new PortDenyRule(PortDenyTranslator.ECONNREFUSED, KmReason.Policy), rule);
    }
}
