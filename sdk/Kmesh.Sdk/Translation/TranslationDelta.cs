using System.Runtime.InteropServices;
using Kmesh.Sdk.Snapshot;

namespace Kmesh.Sdk.Translation;

/// <summary>What an <see cref="IIncrementalTranslator"/> changed: entries set or removed, and the resources it translated again.</summary>
public sealed class TranslationDelta
{
    private readonly List<MapChanges> _maps = new();
    private readonly HashSet<ResourceRef> _resources = new();

    /// <summary>
    /// The changes to the map named <paramref name="name"/>; created empty on first use. Declare
    /// maps in the order <see cref="TranslationOutput.Map{TKey, TValue}"/> declares them.
    /// </summary>
    public MapChanges<TKey, TValue> Map<TKey, TValue>(string name)
        where TKey : unmanaged
        where TValue : unmanaged
        => MapDeclaration.FindOrAdd(_maps, name, map => map.Name, () => new MapChanges<TKey, TValue>(name));

    /// <summary>The maps changed, in the order they were declared.</summary>
    public IReadOnlyList<MapChanges> Maps => _maps;

    /// <summary>
    /// Says that <paramref name="resource"/> was translated again: the findings and facts this plugin reported for it before are
    /// replaced by those reported in <see cref="Findings"/> now (none, for a resource that left).
    /// </summary>
    public void Retranslated(ResourceRef resource)
    {
        ArgumentNullException.ThrowIfNull(resource.Name, nameof(resource));
        _resources.Add(resource);
    }

    /// <summary>The resources named with <see cref="Retranslated"/>.</summary>
    public IReadOnlySet<ResourceRef> Resources => _resources;

    /// <summary>The findings and facts of the resources translated again (its maps are not used).</summary>
    public TranslationOutput Findings { get; } = new();
}

/// <summary>Changes to one eBPF map of a plugin: entries to set (key and value bytes) and to remove.</summary>
public abstract class MapChanges
{
    private protected readonly Dictionary<MapKey, byte[]?> ChangesByKey = new();

    private protected MapChanges(string name, int keySize, int valueSize)
    {
        Name = name;
        KeySize = keySize;
        ValueSize = valueSize;
    }

    /// <summary>The map's name in the plugin's eBPF object.</summary>
    public string Name { get; }

    /// <summary>Size in bytes of a key.</summary>
    public int KeySize { get; }

    /// <summary>Size in bytes of a value.</summary>
    public int ValueSize { get; }

    /// <summary>How many keys are touched.</summary>
    public int Count => ChangesByKey.Count;

    /// <summary>The touched keys: the value to hold, or null to remove the entry. The last change to a key wins.</summary>
    public IReadOnlyDictionary<MapKey, byte[]?> Entries => ChangesByKey;
}

/// <summary>Changes to one map with typed keys and values (unmanaged structs mirroring the C layout).</summary>
public sealed class MapChanges<TKey, TValue> : MapChanges
    where TKey : unmanaged
    where TValue : unmanaged
{
    internal MapChanges(string name)
        : base(name, Marshal.SizeOf<TKey>(), Marshal.SizeOf<TValue>())
    {
    }

    /// <summary>The entry for <paramref name="key"/> is to hold <paramref name="value"/>.</summary>
    public void Set(in TKey key, in TValue value)
    {
        var (keyBytes, valueBytes) = MapDeclaration.ToBytes(in key, in value);
        ChangesByKey[keyBytes] = valueBytes;
    }

    /// <summary>The entry for <paramref name="key"/> is to hold <paramref name="value"/> (bytes the translator holds; neither may change afterwards).</summary>
    /// <exception cref="ArgumentException">A length differs from the map's key or value size.</exception>
    public void SetBytes(MapKey key, byte[] value)
    {
        MapDeclaration.CheckSizes(Name, KeySize, ValueSize, key, value);
        ChangesByKey[key] = value;
    }

    /// <summary>The entry for <paramref name="key"/> is to be removed (nothing happens when the map has none).</summary>
    public void Remove(in TKey key) =>
        ChangesByKey[new MapKey(MemoryMarshal.AsBytes(new ReadOnlySpan<TKey>(in key)).ToArray())] = null;

    /// <summary>The entry for <paramref name="key"/> (key bytes) is to be removed.</summary>
    /// <exception cref="ArgumentException">The key's length differs from the map's key size.</exception>
    public void RemoveBytes(MapKey key)
    {
        if (key.Span.Length != KeySize)
            throw new ArgumentException($"Map '{Name}' has {KeySize}-byte keys, not {key.Span.Length}.", nameof(key));
        ChangesByKey[key] = null;
    }
}
