using System.Text.Json;

namespace Kmesh.Sdk.Testing;

/// <summary>The outcome of <see cref="SandboxClient.StreamAsync"/>: what was sent and what came back.</summary>
public sealed class StreamResult
{
    private StreamResult(string name, string sentSha256, string receivedSha256, long received)
    {
        Name = name;
        SentSha256 = sentSha256;
        ReceivedSha256 = receivedSha256;
        Received = received;
    }

    /// <summary>The backend that echoed.</summary>
    public string Name { get; }

    /// <summary>SHA-256 (hex) of every byte sent.</summary>
    public string SentSha256 { get; }

    /// <summary>SHA-256 (hex) of every byte echoed back before EOF.</summary>
    public string ReceivedSha256 { get; }

    /// <summary>How many bytes came back before EOF.</summary>
    public long Received { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: received {Received} bytes, sent {SentSha256[..12]}…, back {ReceivedSha256[..12]}…";

    internal static StreamResult Parse(JsonElement reply) => new(
        reply.GetProperty("name").GetString()!,
        reply.GetProperty("sentSha256").GetString()!,
        reply.GetProperty("receivedSha256").GetString()!,
        reply.GetProperty("received").GetInt64());
}
