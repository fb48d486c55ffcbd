using Kmesh.Core.Datapath;
using Kmesh.Core.Hosting;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Tests.Hosting;

/// <summary>Which plugins the chain may pass over (chain ABI 1.4): only those that can know it.</summary>
public sealed class ChainWorkFoldingTests
{
    [Fact]
    public void OnlyPluginsOfAbi14OrLaterThatDeclaredTheirWork_GetSkipBits()
    {
        var chain = new IChainMember[]
        {
            new Member("routing", "1.4", 0),
            new Member("ratelimit", "1.4", 1),
            new Member("thirdparty", "1.4", 2),   // declares nothing: may act on any connect
            new Member("oldminor", "1.3", 3),     // declared, but built before skipping existed
            new Member("faultinject", "1.4", 4, connect6: 2),
        };
        var declared = new Dictionary<string, IReadOnlySet<uint>>
        {
            ["ratelimit"] = new HashSet<uint> { 7 },
            ["oldminor"] = new HashSet<uint>(),
            ["faultinject"] = new HashSet<uint>(),
        };

        var work = ChainWorkFolding.Fold(chain, declared);

        Assert.Equal(1u << 4, work.SkipSlots(7, ChainHook.Connect4));
        Assert.Equal((1u << 1) | (1u << 4), work.SkipSlots(8, ChainHook.Connect4));
        Assert.Equal((1u << 1) | (1u << 2), work.SkipSlots(8, ChainHook.Connect6));
    }

    [Fact]
    public void NothingDeclared_IsNone_AndEqualityFollowsTheSets()
    {
        var chain = new IChainMember[] { new Member("ratelimit", "1.4", 1) };

        Assert.Same(ChainWork.None, ChainWorkFolding.Fold(chain, new Dictionary<string, IReadOnlySet<uint>>()));
        var a = ChainWorkFolding.Fold(chain, new Dictionary<string, IReadOnlySet<uint>> { ["ratelimit"] = new HashSet<uint> { 1, 2 } });
        var b = ChainWorkFolding.Fold(chain, new Dictionary<string, IReadOnlySet<uint>> { ["ratelimit"] = new HashSet<uint> { 2, 1 } });
        var c = ChainWorkFolding.Fold(chain, new Dictionary<string, IReadOnlySet<uint>> { ["ratelimit"] = new HashSet<uint> { 1 } });
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void ClusterWork_RunsTheSlotWhenTheRouteMayPickOneOfThoseClusters()
    {
        var chain = new IChainMember[] { new Member("routing", "1.4", 0), new Member("circuitbreaker", "1.4", 2) };
        var declared = new Dictionary<string, IReadOnlySet<uint>> { ["circuitbreaker"] = new HashSet<uint>() };
        var clusters = new Dictionary<string, IReadOnlySet<uint>> { ["circuitbreaker"] = new HashSet<uint> { 40 } };

        var work = ChainWorkFolding.Fold(chain, declared, clusters);

        Assert.Equal(0u, work.SkipSlots(7, [40], ChainHook.Connect4));
        Assert.Equal(0u, work.SkipSlots(7, [41, 40], ChainHook.Connect6));
        Assert.Equal(1u << 2, work.SkipSlots(7, [41], ChainHook.Connect4));
        // Without the route's clusters it cannot tell: never skipped.
        Assert.Equal(0u, work.SkipSlots(7, ChainHook.Connect4));
        // Another cluster set is other work (routing is then translated in full).
        Assert.NotEqual(work, ChainWorkFolding.Fold(chain, declared, new Dictionary<string, IReadOnlySet<uint>> { ["circuitbreaker"] = new HashSet<uint> { 41 } }));
        Assert.Equal(work, ChainWorkFolding.Fold(chain, declared, new Dictionary<string, IReadOnlySet<uint>> { ["circuitbreaker"] = new HashSet<uint> { 40 } }));
    }

    private sealed class Member(string name, string abi, int connect4, int? connect6 = null) : IChainMember
    {
        public string Name => name;
        public string Version => "1.0.0";
        public string Abi => abi;
        public IReadOnlyDictionary<ChainHook, int> Slots { get; } = new Dictionary<ChainHook, int> { [ChainHook.Connect4] = connect4, [ChainHook.Connect6] = connect6 ?? connect4 };
        public IReadOnlyList<string> MapNames => [];
        public ITranslator Translator => throw new NotSupportedException();
        public string Fingerprint => "test";
        public IReadOnlyList<KeyValuePair<string, ulong>> ReadCounters() => [];
    }
}
