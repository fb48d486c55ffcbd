using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Kmesh.Sdk.Snapshot;

/// <summary>
/// An endpoint as <see cref="StableMeshIds"/> keys it: the address (IPv4 in the low 32 bits), its
/// family, scope and the port, as a value. At 100 000 endpoints a string key cost an
/// <c>ADDRESS:PORT</c> string per endpoint held, and another per lookup (every translation looks
/// every endpoint up). The name (<see cref="IPEndPoint.ToString"/>'s form, what saved ids hold) is
/// made only when asked for, and parses back to the same key.
/// </summary>
internal readonly record struct EndpointKey(UInt128 Address, AddressFamily Family, uint Scope, int Port)
{
    public static EndpointKey Of(IPEndPoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var address = endpoint.Address;
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
            throw new ArgumentException($"cannot read the address {address}", nameof(endpoint));
        var value = written == 4 ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt128BigEndian(bytes);
        var scope = address.AddressFamily == AddressFamily.InterNetworkV6 ? (uint)address.ScopeId : 0;
        return new EndpointKey(value, address.AddressFamily, scope, endpoint.Port);
    }

    /// <summary>
    /// The key of a saved name; a name that is not an endpoint as <see cref="ToString"/> writes one
    /// gets a key no endpoint has (family Unknown, one per <paramref name="position"/>), so the
    /// names after it keep their ids.
    /// </summary>
    public static EndpointKey Parse(string name, int position) =>
        IPEndPoint.TryParse(name, out var endpoint) && endpoint.ToString() == name
            ? Of(endpoint)
            : new EndpointKey((UInt128)position, AddressFamily.Unknown, 0, -1);

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
