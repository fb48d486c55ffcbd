namespace Kmesh.Core.Reconcile;

/// <summary>A plugin's kernel map as the reconciler writes it.</summary>
public interface IKernelMap
{
    /// <summary>The map's name.</summary>
    string Name { get; }

    /// <summary>Key size in bytes.</summary>
    int KeySize { get; }

    /// <summary>Value size in bytes.</summary>
    int ValueSize { get; }

    /// <summary>How many entries fit.</summary>
    int Capacity { get; }

    /// <summary>
    /// Applies one step (all upserts or all deletes); returns how many took effect, in order.
    /// A failure part-way throws <see cref="MapApplyException"/> saying how many did.
    /// </summary>
    int Apply(MapStep step);

    /// <summary>
    /// Every entry the map holds now, as key and value bytes: where an adopted map's reconciliation
    /// starts. Empty for maps that cannot be read back (per-CPU values, in-memory test maps).
    /// </summary>
    IEnumerable<(byte[] Key, byte[] Value)> ReadEntries() => [];
}
