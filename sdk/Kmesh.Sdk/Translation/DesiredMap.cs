using System.Runtime.InteropServices;

namespace Kmesh.Sdk.Translation;

/// <summary>The full desired contents of one eBPF map of a plugin, as raw key and value bytes.</summary>
public abstract class DesiredMap
{
    private protected readonly Dictionary<MapKey, byte[]> EntriesByKey = new();

    private protected DesiredMap(string name, int keySize, int valueSize)
    {
        Name = name;
        KeySize = keySize;
        ValueSize = valueSize;
    }

    /// <summary>The map's name in the plugin's eBPF object.</summary>
    public string Name { get; }

    /// <summary>Size in bytes of a key; must equal the map's key size in the object.</summary>
    public int KeySize { get; }

    /// <summary>Size in bytes of a value; must equal the map's value size in the object.</summary>
    public int ValueSize { get; }

    /// <summary>How many entries the map should hold.</summary>
    public int Count => EntriesByKey.Count;

    /// <summary>The desired entries, keyed by key bytes.</summary>
    public IReadOnlyDictionary<MapKey, byte[]> Entries => EntriesByKey;
}

/// <summary>A desired map with typed keys and values (unmanaged structs mirroring the C layout).</summary>
public sealed class DesiredMap<TKey, TValue> : DesiredMap
    where TKey : unmanaged
    where TValue : unmanaged
{
    internal DesiredMap(string name)
        : base(name, Marshal.SizeOf<TKey>(), Marshal.SizeOf<TValue>())
    {
    }

    /// <summary>Sets the entry for <paramref name="key"/>, replacing an earlier one.</summary>
    public void Set(in TKey key, in TValue value)
    {
        var (keyBytes, valueBytes) = MapDeclaration.ToBytes(in key, in value);
        EntriesByKey[keyBytes] = valueBytes;
    }

    /// <summary>
    /// Sets the entry for <paramref name="key"/> from bytes a translator already holds (for
    /// example entries it kept from an earlier translation), without copying them. Neither
    /// array may be changed afterwards: the core keeps them, and one value array may serve
    /// several keys.
    /// </summary>
    /// <exception cref="ArgumentException">A length differs from the map's key or value size.</exception>
    public void SetBytes(MapKey key, byte[] value)
    {
        MapDeclaration.CheckSizes(Name, KeySize, ValueSize, key, value);
        EntriesByKey[key] = value;
    }

    /// <summary>The entry set for <paramref name="key"/>, if any.</summary>
    public bool TryGet(in TKey key, out TValue value)
    {
        var keyBytes = MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key)).ToArray();
        if (EntriesByKey.TryGetValue(new MapKey(keyBytes), out var bytes))
        {
            value = MemoryMarshal.Read<TValue>(bytes);
            return true;
        }
        value = default;
        return false;
    }

    /// <summary>The entries as typed pairs (for tests and diagnostics; not for hot paths).</summary>
    public IEnumerable<KeyValuePair<TKey, TValue>> TypedEntries =>
        EntriesByKey.Select(e => new KeyValuePair<TKey, TValue>(
            MemoryMarshal.Read<TKey>(e.Key.Span), MemoryMarshal.Read<TValue>(e.Value)));
}
