using Kmesh.Core.Plugins;
using Kmesh.Sdk.Manifest;

namespace Kmesh.Core.Tests.Plugins;

public class ChainOrderTests
{
    private static PluginCandidate Plugin(string name, string[]? requires = null, string[]? after = null) => new(new PluginManifest
    {
        Name = name, Version = "1.0.0", Abi = "1.0", Assembly = $"{name}.dll", Object = $"{name}.bpf.o", Hooks = ["connect4"],
        Requires = requires ?? [], After = after ?? [],
    }, "/nowhere");

    [Fact]
    public void Validate_OrderTheManifestsAllow_Passes()
    {
        ChainOrder.Validate([Plugin("routing"), Plugin("ratelimit", after: ["routing"]), Plugin("loadbalance", after: ["routing", "ratelimit"])]);
    }

    [Fact]
    public void Validate_AfterPluginMissing_IsFine()
    {
        ChainOrder.Validate([Plugin("routing"), Plugin("loadbalance", after: ["routing", "ratelimit"])]);
    }

    [Fact]
    public void Validate_PluginBeforeWhatItMustFollow_IsRefusedNamingBoth()
    {
        var error = Assert.Throws<PluginSelectionException>(() =>
            ChainOrder.Validate([Plugin("loadbalance", after: ["routing"]), Plugin("routing")]));

        Assert.Contains("loadbalance must run after routing, but routing comes after it", error.Message);
        Assert.Contains("loadbalance -> routing", error.Message);
    }

    [Fact]
    public void Validate_RequiredPluginAbsent_IsRefused()
    {
        var error = Assert.Throws<PluginSelectionException>(() => ChainOrder.Validate([Plugin("tagging", requires: ["routing"])]));

        Assert.Contains("tagging requires routing earlier in the chain, but routing is not in it", error.Message);
    }
}
