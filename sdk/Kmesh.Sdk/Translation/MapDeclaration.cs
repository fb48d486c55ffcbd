using System.Runtime.InteropServices;

namespace Kmesh.Sdk.Translation;

/// <summary>
/// What a full translation (<see cref="DesiredMap{TKey, TValue}"/>) and an incremental one
/// (<see cref="MapChanges{TKey, TValue}"/>) share: declaring a map once by name, turning typed
/// entries into bytes, and checking the sizes of entries given as bytes.
/// </summary>
internal static class MapDeclaration
{
    /// <summary>The map named <paramref name="name"/> in <paramref name="maps"/>, or a new one added last.</summary>
    public static TTyped FindOrAdd<TMap, TTyped>(List<TMap> maps, string name, Func<TMap, string> nameOf, Func<TTyped> create)
        where TTyped : class, TMap
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (var map in maps)
        {
            if (nameOf(map) != name)
                continue;
            return map as TTyped
                ?? throw new InvalidOperationException($"Map '{name}' was already declared with other key or value types.");
        }
        var created = create();
        maps.Add(created);
        return created;
    }

    /// <summary>A typed entry as the key and value bytes the kernel map holds.</summary>
    public static (MapKey Key, byte[] Value) ToBytes<TKey, TValue>(in TKey key, in TValue value)
        where TKey : unmanaged
        where TValue : unmanaged
        => (new MapKey(MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key)).ToArray()),
            MemoryMarshal.AsBytes(new ReadOnlySpan<TValue>(in value)).ToArray());

    /// <exception cref="ArgumentException">A length differs from the map's key or value size.</exception>
    public static void CheckSizes(string map, int keySize, int valueSize, MapKey key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (key.Span.Length != keySize)
            throw new ArgumentException($"Map '{map}' has {keySize}-byte keys, not {key.Span.Length}.", nameof(key));
        if (value.Length != valueSize)
            throw new ArgumentException($"Map '{map}' has {valueSize}-byte values, not {value.Length}.", nameof(value));
    }
}
