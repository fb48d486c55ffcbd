using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Kmesh.Sdk.Snapshot;

/// <summary>
/// <see cref="StableMeshIds"/>' endpoint ids, keyed by the address and port as a value: at
/// 100 000 endpoints a string key cost an <c>ADDRESS:PORT</c> string per endpoint held, and
/// another per lookup (every translation looks every endpoint up). Names (<c>ADDRESS:PORT</c>,
/// as <see cref="IPEndPoint.ToString"/> writes it) are made only when asked for, and restored
/// names are parsed back to the same keys, so saved ids survive a restart as before.
/// </summary>
internal sealed class EndpointInterner
{
    private readonly Dictionary<EndpointKey, uint> _ids = [];
    private readonly List<EndpointKey> _keys = [];
    private readonly Lock _lock = new();

    public int Count
    {
        get
        {
            lock (_lock)
                return _keys.Count;
        }
    }

    public uint Get(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return Get(EndpointKey.Of(endpoint));
    }

    /// <summary>Takes the next id for a saved name; one that does not parse keeps its id, never to be matched.</summary>
    public void Restore(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (_lock)
        {
            var key = IPEndPoint.TryParse(name, out var endpoint) && endpoint.ToString() == name
                ? EndpointKey.Of(endpoint)
                : EndpointKey.Unmatchable(_keys.Count);
            if (!_ids.ContainsKey(key))
            {
                _ids.Add(key, checked((uint)_keys.Count + 1));
                _keys.Add(key);
            }
        }
    }

    public IReadOnlyList<string> Names()
    {
        lock (_lock)
            return _keys.Select(k => k.ToString()).ToArray();
    }

    private uint Get(EndpointKey key)
    {
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

    /// <summary>An address (IPv4 in the low 32 bits), its family, scope and port: what tells two endpoints' names apart.</summary>
    private readonly record struct EndpointKey(UInt128 Address, AddressFamily Family, uint Scope, int Port)
    {
        public static EndpointKey Of(IPEndPoint endpoint)
        {
            var address = endpoint.Address;
            Span<byte> bytes = stackalloc byte[16];
            if (!address.TryWriteBytes(bytes, out var written))
                throw new ArgumentException($"cannot read the address {address}", nameof(endpoint));
            var value = written == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
            var scope = address.AddressFamily == AddressFamily.InterNetworkV6 ? (uint)address.ScopeId : 0;
            return new EndpointKey(value, address.AddressFamily, scope, endpoint.Port);
        }

        /// <summary>A key no endpoint has (family Unknown), one per position.</summary>
        public static EndpointKey Unmatchable(int position) => new((UInt128)position, AddressFamily.Unknown, 0, -1);

        public override string ToString()
        {
            if (Family == AddressFamily.Unknown)
                return $"unparsed#{Address}";
            Span<byte> bytes = stackalloc byte[16];
            IPAddress address;
            if (Family == AddressFamily.InterNetwork)
            {
                BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)Address);
                address = new IPAddress(bytes[..4]);
            }
            else
            {
                BinaryPrimitives.WriteUInt128BigEndian(bytes, Address);
                address = new IPAddress(bytes, Scope);
            }
            return new IPEndPoint(address, Port).ToString();
        }
    }
}
