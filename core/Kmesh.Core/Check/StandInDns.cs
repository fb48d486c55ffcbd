using System.Buffers.Binary;
using System.Net;
using Kmesh.Core.Mesh;

namespace Kmesh.Core.Check;

/// <summary>
/// Stand-in answers for the host names of DNS clusters, so that a check is offline and its
/// output does not depend on the machine: each name gets one address of its own, from ranges
/// that are never routed (240.0.0.0/4, reserved; 2001:db8::/32, documentation). Endpoints
/// with a host name are reported by that name, so the stand-ins do not show.
/// </summary>
internal static class StandInDns
{
    public static DnsCache For(IEnumerable<string> hosts)
    {
        var names = hosts.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        var answers = new Dictionary<string, IPAddress[]>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < names.Count; i++)
            answers[names[i]] = [V4(i + 1), V6(i + 1)];
        var cache = new DnsCache((host, _) => Task.FromResult(answers.GetValueOrDefault(host) ?? []));
        // Nothing here waits: the answers are at hand.
        cache.RefreshAsync(names, CancellationToken.None).GetAwaiter().GetResult();
        return cache;
    }

    private static IPAddress V4(int n) => new([240, (byte)(n >> 16), (byte)(n >> 8), (byte)n]);

    private static IPAddress V6(int n)
    {
        var bytes = new byte[16];
        bytes[0] = 0x20; bytes[1] = 0x01; bytes[2] = 0x0d; bytes[3] = 0xb8;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), n);
        return new IPAddress(bytes);
    }
}
