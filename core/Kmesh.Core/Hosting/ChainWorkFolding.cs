using Kmesh.Core.Datapath;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Hosting;

/// <summary>
/// Folds what plugins declared with <see cref="TranslationOutput.ConnectWork"/> into the
/// <see cref="ChainWork"/> an <see cref="IChainWorkReader"/> (routing) writes into its route
/// entries (chain ABI 1.4). Only a plugin that declared its work and was built for 1.4 or later
/// can be skipped: one built earlier was written before skipping existed, and one that declares
/// nothing (a third-party plugin) may act on any connect, so both always run.
/// </summary>
internal static class ChainWorkFolding
{
    /// <summary>The minor that added <c>km_ctx.skip_slots</c>.</summary>
    public const int SkipSlotsSinceMinor = 4;

    private static readonly ChainHook[] ConnectHooks = [ChainHook.Connect4, ChainHook.Connect6];

    private static readonly IReadOnlySet<uint> NoClusters = new HashSet<uint>();

    /// <param name="chain">The chain's plugins, with their slots and ABI.</param>
    /// <param name="declared">Per plugin that declared its work, the services it acts on.</param>
    /// <param name="clusters">Per such plugin, the clusters it acts on (<see cref="ServiceWork.Clusters"/>); none when absent.</param>
    public static ChainWork Fold(IReadOnlyList<IChainMember> chain, IReadOnlyDictionary<string, IReadOnlySet<uint>> declared,
        IReadOnlyDictionary<string, IReadOnlySet<uint>>? clusters = null)
    {
        var slots = new List<WorkSlot>();
        foreach (var member in chain)
        {
            if (!declared.TryGetValue(member.Name, out var services) || !KnowsSkipSlots(member.Abi))
                continue;
            foreach (var hook in ConnectHooks)
            {
                if (member.Slots.TryGetValue(hook, out var slot))
                    slots.Add(new WorkSlot(hook, slot, services, clusters?.GetValueOrDefault(member.Name) ?? NoClusters));
            }
        }
        return slots.Count == 0 ? ChainWork.None : new ChainWork(slots);
    }

    private static bool KnowsSkipSlots(string abi)
    {
        var parts = abi.Split('.');
        return parts.Length == 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor)
            && major == ChainAbi.Major && minor >= SkipSlotsSinceMinor;
    }
}
