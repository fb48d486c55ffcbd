using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Kmesh.Sdk.Abi;

/// <summary>
/// <c>struct km_addr</c>: an IPv4 or IPv6 address and port as the kernel sees them
/// (address bytes and port in network byte order).
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 20)]
public unsafe struct KmAddr : IEquatable<KmAddr>
{
    /// <summary>Address bytes in network order; IPv4 uses the first four.</summary>
    public fixed byte Address[16];

    /// <summary>Port in network byte order, as in <c>sockaddr</c>.</summary>
    public ushort PortNetworkOrder;

    /// <summary><c>AF_INET</c> (2) or <c>AF_INET6</c> (10).</summary>
    public ushort Family;

    /// <summary><c>AF_INET</c> as Linux numbers it.</summary>
    public const ushort AfInet = 2;

    /// <summary><c>AF_INET6</c> as Linux numbers it.</summary>
    public const ushort AfInet6 = 10;

    /// <summary>The port in host order.</summary>
    public readonly int Port => BinaryPrimitives.ReverseEndianness(PortNetworkOrder);

    /// <summary>Builds the kernel form of an endpoint.</summary>
    public static KmAddr From(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, ushort.MaxValue);
        var result = default(KmAddr);
        Span<byte> bytes = new(result.Address, 16);
        if (!address.TryWriteBytes(bytes, out _))
            throw new ArgumentException($"Address {address} does not fit 16 bytes.", nameof(address));
        result.Family = address.AddressFamily == AddressFamily.InterNetworkV6 ? AfInet6 : AfInet;
        result.PortNetworkOrder = BinaryPrimitives.ReverseEndianness((ushort)port);
        return result;
    }

    /// <summary>Builds the kernel form of an endpoint.</summary>
    public static KmAddr From(IPEndPoint endpoint) => From(endpoint.Address, endpoint.Port);

    /// <summary>Back to a .NET endpoint.</summary>
    public readonly IPEndPoint ToIPEndPoint()
    {
        fixed (byte* p = Address)
        {
            var length = Family == AfInet6 ? 16 : 4;
            return new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(p, length)), Port);
        }
    }

    /// <inheritdoc />
    public readonly bool Equals(KmAddr other)
    {
        fixed (byte* a = Address)
            return new ReadOnlySpan<byte>(a, 16).SequenceEqual(new ReadOnlySpan<byte>(other.Address, 16))
                && PortNetworkOrder == other.PortNetworkOrder && Family == other.Family;
    }

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is KmAddr other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode()
    {
        fixed (byte* a = Address)
        {
            var hash = new HashCode();
            hash.AddBytes(new ReadOnlySpan<byte>(a, 16));
            hash.Add(PortNetworkOrder);
            hash.Add(Family);
            return hash.ToHashCode();
        }
    }

    /// <inheritdoc />
    public override readonly string ToString() => Family == 0 ? "unset" : ToIPEndPoint().ToString();
}
