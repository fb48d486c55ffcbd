using Kmesh.Sdk.Abi;

namespace Kmesh.Sdk.Translation;

/// <summary>
/// Which connect chain slots have nothing to do for a service (chain ABI 1.4), as the core
/// folds it from the plugins that declared their <see cref="TranslationOutput.ConnectWork"/>.
/// Given to an <see cref="IChainWorkReader"/> through <see cref="TranslationOutput.ChainWork"/>.
/// </summary>
public sealed class ChainWork : IEquatable<ChainWork>
{
    private readonly IReadOnlyList<WorkSlot> _slots;

    /// <summary>Takes the slots of the plugins that declared their work.</summary>
    public ChainWork(IReadOnlyList<WorkSlot> slots) => _slots = slots;

    /// <summary>Nothing declared: every slot runs for every service.</summary>
    public static ChainWork None { get; } = new([]);

    /// <summary>The slots that may be skipped.</summary>
    public IReadOnlyList<WorkSlot> Slots => _slots;

    /// <summary><c>km_ctx.skip_slots</c> for connects to <paramref name="serviceId"/> on <paramref name="hook"/>: bit n = slot n has nothing to do.</summary>
    /// <remarks>
    /// Without the route's clusters, a slot whose plugin declared work for any cluster is never
    /// passed over (a reader that does not say its clusters cannot tell). Readers that know the
    /// clusters call the overload that takes them.
    /// </remarks>
    public uint SkipSlots(uint serviceId, ChainHook hook)
    {
        var mask = 0u;
        foreach (var slot in _slots)
        {
            if (slot.Hook == hook && !slot.Services.Contains(serviceId) && slot.Clusters.Count == 0)
                mask |= 1u << slot.Slot;
        }
        return mask;
    }

    /// <summary>
    /// <c>km_ctx.skip_slots</c> for connects to <paramref name="serviceId"/> whose route picks one of
    /// <paramref name="clusterIds"/>: a slot is passed over when its plugin has work neither for the
    /// service nor for any of those clusters.
    /// </summary>
    public uint SkipSlots(uint serviceId, IReadOnlyCollection<uint> clusterIds, ChainHook hook)
    {
        var mask = 0u;
        foreach (var slot in _slots)
        {
            if (slot.Hook == hook && !slot.Services.Contains(serviceId) && !clusterIds.Any(slot.Clusters.Contains))
                mask |= 1u << slot.Slot;
        }
        return mask;
    }

    /// <inheritdoc />
    public bool Equals(ChainWork? other) =>
        other is not null && other._slots.Count == _slots.Count
        && _slots.Zip(other._slots).All(p => p.First.Hook == p.Second.Hook && p.First.Slot == p.Second.Slot && p.First.Services.SetEquals(p.Second.Services) && p.First.Clusters.SetEquals(p.Second.Clusters));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ChainWork);

    /// <inheritdoc />
    public override int GetHashCode() => _slots.Count;
}

/// <summary>A connect chain slot whose plugin declared the services it has work for.</summary>
public sealed class WorkSlot
{
    /// <summary>Takes the slot and the services it has work for.</summary>
    public WorkSlot(ChainHook hook, int slot, IReadOnlySet<uint> services)
        : this(hook, slot, services, new HashSet<uint>())
    {
    }

    /// <summary>Takes the slot, the services and the clusters it has work for.</summary>
    public WorkSlot(ChainHook hook, int slot, IReadOnlySet<uint> services, IReadOnlySet<uint> clusters)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, ChainAbi.CommitSlot);
        Hook = hook;
        Slot = slot;
        Services = services;
        Clusters = clusters;
    }

    /// <summary>connect4 or connect6.</summary>
    public ChainHook Hook { get; }

    /// <summary>The plugin's slot in that hook's chain.</summary>
    public int Slot { get; }

    /// <summary>The services it has work for.</summary>
    public IReadOnlySet<uint> Services { get; }

    /// <summary>The clusters it has work for; it is skipped for a route that picks none of them, to a service not in <see cref="Services"/>.</summary>
    public IReadOnlySet<uint> Clusters { get; }
}
