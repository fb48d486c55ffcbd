using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Reconcile;

/// <summary>Whether an operation writes or removes an entry.</summary>
public enum MapOpKind
{
    /// <summary>Create or replace the entry.</summary>
    Upsert,
    /// <summary>Remove the entry.</summary>
    Delete,
}

/// <summary>One change to one entry of one plugin's map.</summary>
public readonly record struct MapOp(MapOpKind Kind, MapKey Key, byte[]? Value);

/// <summary>The changes to one map, applied together (batched where the kernel allows).</summary>
/// <param name="Plugin">The plugin owning the map.</param>
/// <param name="Map">The map's name in the plugin's object.</param>
/// <param name="Kind">Upserts or deletes; a step never mixes them.</param>
/// <param name="Ops">The entries.</param>
public sealed record MapStep(string Plugin, string Map, MapOpKind Kind, IReadOnlyList<MapOp> Ops);
