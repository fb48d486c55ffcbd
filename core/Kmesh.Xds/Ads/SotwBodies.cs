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

    /// <summary>The hash a body is known by (<see cref="ContentHash"/>).</summary>
    public static UInt128 Hash(ByteString body) => ContentHash.Of(body.Span);

    /// <summary>The message accepted with these bytes in the last accepted response of the type, if any.</summary>
    public IMessage? Find(string typeUrl, UInt128 hash) =>
        _accepted.TryGetValue(typeUrl, out var bodies) && bodies.TryGetValue(hash, out var message) ? message : null;

    /// <summary>An accepted response's resources become what the next one of its type is compared with.</summary>
    public void Accepted(string typeUrl, IReadOnlyList<XdsResource> resources)
    {
        // Refilled in place: at 10 000 resources a new table per push is half a megabyte on the
        // large object heap, garbage at the next push, which only a full collection returns.
        if (!_accepted.TryGetValue(typeUrl, out var bodies))
            _accepted[typeUrl] = bodies = new Dictionary<UInt128, IMessage>(resources.Count);
        else
            bodies.Clear();
        foreach (var resource in resources)
        {
            if (resource.BodyHash is { } hash)
                bodies[hash] = resource.Message;
        }
    }
}
