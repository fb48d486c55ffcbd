using System.Net;

namespace Kmesh.Sdk.Snapshot;

/// <summary>
/// Hands out ids in first-seen order and never changes one it gave. Thread-safe. The core
/// keeps one for its lifetime; tests make a fresh one.
/// </summary>
public sealed class StableMeshIds : IMeshIds
{
    private readonly Interner<string> _clusters = new(StringComparer.Ordinal);
    private readonly Interner<string> _services = new(StringComparer.Ordinal);
    private readonly Interner<EndpointKey> _endpoints = new(EqualityComparer<EndpointKey>.Default);

    /// <inheritdoc />
    public uint ClusterId(string clusterName) => _clusters.Get(clusterName);

    /// <inheritdoc />
    public uint ServiceId(string listenerName) => _services.Get(listenerName);

    /// <inheritdoc />
    public uint EndpointId(IPEndPoint endpoint) => _endpoints.Get(EndpointKey.Of(endpoint));

    /// <summary>
    /// Ids handed out by an earlier instance, restored: each list in id order (id = position + 1),
    /// as <see cref="ServiceNames"/>, <see cref="ClusterNames"/> and <see cref="EndpointNames"/>
    /// gave them. A daemon that adopts the maps of the previous one (kmesh run --keep-on-exit)
    /// then writes the same ids the maps, and the runtime state keyed by them, already hold.
    /// </summary>
    public static StableMeshIds Restore(IEnumerable<string> services, IEnumerable<string> clusters, IEnumerable<string> endpoints)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(clusters);
        ArgumentNullException.ThrowIfNull(endpoints);
        var ids = new StableMeshIds();
        foreach (var name in services)
            ids._services.Get(name);
        foreach (var name in clusters)
            ids._clusters.Get(name);
        foreach (var name in endpoints)
            ids._endpoints.Get(EndpointKey.Parse(name, ids._endpoints.Count));
        return ids;
    }

    /// <summary>Every service name handed an id, in id order (id = position + 1).</summary>
    public IReadOnlyList<string> ServiceNames() => _services.Keys();

    /// <summary>Every cluster name handed an id, in id order.</summary>
    public IReadOnlyList<string> ClusterNames() => _clusters.Keys();

    /// <summary>Every endpoint (<c>ADDRESS:PORT</c>) handed an id, in id order.</summary>
    public IReadOnlyList<string> EndpointNames() => _endpoints.Keys().Select(k => k.ToString()).ToArray();

    /// <summary>How many ids were handed out, all kinds together (cheap: to tell whether <see cref="ServiceNames"/> and friends changed).</summary>
    public int Count => _services.Count + _clusters.Count + _endpoints.Count;

    /// <summary>The cluster an id was handed out for, or null (the kernel reports ids; operators read names).</summary>
    public string? ClusterName(uint id) => _clusters.KeyOf(id);

    /// <summary>The service (listener, or listener and virtual host) an id was handed out for, or null.</summary>
    public string? ServiceName(uint id) => _services.KeyOf(id);

    /// <summary>Ids in first-seen order, 1 up, for keys of one kind.</summary>
    private sealed class Interner<TKey>(IEqualityComparer<TKey> comparer)
        where TKey : notnull
    {
        private readonly Dictionary<TKey, uint> _ids = new(comparer);
        private readonly List<TKey> _keys = [];
        private readonly Lock _lock = new();

        public int Count
        {
            get
            {
                lock (_lock)
                    return _keys.Count;
            }
        }

        public TKey[] Keys()
        {
            lock (_lock)
                return _keys.ToArray();
        }

        public TKey? KeyOf(uint id)
        {
            lock (_lock)
                return id >= 1 && id <= _keys.Count ? _keys[(int)id - 1] : default;
        }

        public uint Get(TKey key)
        {
            ArgumentNullException.ThrowIfNull(key);
            lock (_lock)
            {
                if (!_ids.TryGetValue(key, out var id))
                {
                    id = checked((uint)_keys.Count + 1);
                    _ids.Add(key, id);
                    _keys.Add(key);
                }
                return id;
            }
        }
    }
}
