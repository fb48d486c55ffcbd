using System.Buffers.Binary;
using System.Security.Cryptography;
using Google.Protobuf;

namespace Kmesh.Xds.Ads;

/// <summary>
/// The bodies of the last accepted SotW response of each type, by the hash of their bytes. A SotW
/// push carries every resource of a type again (at 10 000 services, all 10 000 assignments for a
/// one-endpoint change); a body whose bytes are those of an accepted one is not parsed or
/// validated again: it gets the message already held, so what did not change keeps its identity
/// and the daemon derives the next snapshot from the last, as it does for a delta update.
/// Only accepted bodies are remembered: bytes once refused are parsed and judged again.
/// </summary>
internal sealed class SotwBodies
{
    private readonly Dictionary<string, Dictionary<UInt128, IMessage>> _accepted = new(StringComparer.Ordinal);

    /// <summary>The hash a body is known by (SHA-256's first 128 bits: a collision is not a practical concern).</summary>
    public static UInt128 Hash(ByteString body)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body.Span, hash);
        return BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    /// <summary>The message accepted with these bytes in the last accepted response of the type, if any.</summary>
    public IMessage? Find(string typeUrl, UInt128 hash) =>
        _accepted.TryGetValue(typeUrl, out var bodies) && bodies.TryGetValue(hash, out var message) ? message : null;

    /// <summary>An accepted response's resources become what the next one of its type is compared with.</summary>
    public void Accepted(string typeUrl, IReadOnlyList<XdsResource> resources)
    {
        var bodies = new Dictionary<UInt128, IMessage>(resources.Count);
        foreach (var resource in resources)
        {
            if (resource.BodyHash is { } hash)
                bodies[hash] = resource.Message;
        }
        _accepted[typeUrl] = bodies;
    }
}
