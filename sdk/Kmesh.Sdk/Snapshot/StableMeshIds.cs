using System.Net;

namespace Kmesh.Sdk.Snapshot;

/// <summary>
/// Hands out ids in first-seen order and never changes one it gave. Thread-safe. The core
/// keeps one for its lifetime; tests make a fresh one.
/// </summary>
public sealed class StableMeshIds : IMeshIds
{
    private readonly Interner _clusters = new();
    private readonly Interner _services = new();
    private readonly Interner _endpoints = new();

    /// <inheritdoc />
    public uint ClusterId(string clusterName) => _clusters.Get(clusterName);

    /// <inheritdoc />
    public uint ServiceId(string listenerName) => _services.Get(listenerName);

    /// <inheritdoc />
    public uint EndpointId(IPEndPoint endpoint) => _endpoints.Get(endpoint.ToString());

    /// <summary>The cluster an id was handed out for, or null (the kernel reports ids; operators read names).</summary>
    public string? ClusterName(uint id) => _clusters.NameOf(id);

    /// <summary>The service (listener, or listener and virtual host) an id was handed out for, or null.</summary>
    public string? ServiceName(uint id) => _services.NameOf(id);

    private sealed class Interner
    {
        private readonly Dictionary<string, uint> _ids = new(StringComparer.Ordinal);
        private readonly List<string> _names = [];
        private readonly Lock _lock = new();

        public string? NameOf(uint id)
        {
            lock (_lock)
                return id >= 1 && id <= _names.Count ? _names[(int)id - 1] : null;
        }

        public uint Get(string name)
        {
            ArgumentNullException.ThrowIfNull(name);
            lock (_lock)
            {
                if (!_ids.TryGetValue(name, out var id))
                {
                    id = checked((uint)_ids.Count + 1);
                    _ids.Add(name, id);
                    _names.Add(name);
                }
                return id;
            }
        }
    }
}
