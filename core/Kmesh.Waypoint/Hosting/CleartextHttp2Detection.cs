using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Kmesh.Waypoint.Hosting;

/// <summary>
/// Lets one cleartext port speak HTTP/1.1 and HTTP/2 with prior knowledge (h2c, what gRPC
/// clients send), as Envoy's <c>codec_type: AUTO</c> does. Kestrel picks HTTP/2 on a cleartext
/// endpoint only when it allows nothing else, because without TLS there is no ALPN to tell. So
/// this connection middleware peeks at the first bytes (leaving them unread): when they are the
/// HTTP/2 connection preface, it gives the connection an ALPN answer of <c>h2</c>, which is what
/// Kestrel's protocol selection reads. The connection stays cleartext: the request scheme comes
/// from the client's <c>:scheme</c> (the server allows alternate schemes for that).
/// </summary>
internal static class CleartextHttp2Detection
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public static async Task DetectAsync(ConnectionContext connection, Func<Task> next)
    {
        if (await StartsWithPrefaceAsync(connection))
        {
            var alpn = new PrefaceAlpn();
            connection.Features.Set<ITlsApplicationProtocolFeature>(alpn);
            connection.Features.Set<ITlsConnectionFeature>(alpn);
        }
        await next();
    }

    private static async Task<bool> StartsWithPrefaceAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            var read = await input.ReadAsync(connection.ConnectionClosed);
            var buffer = read.Buffer;
            var length = (int)Math.Min(buffer.Length, Preface.Length);
            var head = buffer.Slice(0, length).ToArray();
            var verdict = !head.AsSpan().SequenceEqual(Preface.AsSpan(0, length)) ? false
                : length == Preface.Length ? true
                : read.IsCompleted || read.IsCanceled ? false
                : (bool?)null;
            if (verdict is { } answer)
            {
                // Nothing consumed or examined: the HTTP parser reads these bytes again, at once.
                input.AdvanceTo(buffer.Start);
                return answer;
            }
            // Too few bytes to tell: examined all, so the next read waits for more.
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The ALPN answer h2, on a connection without TLS and without a client certificate.</summary>
    private sealed class PrefaceAlpn : ITlsApplicationProtocolFeature, ITlsConnectionFeature
    {
        public ReadOnlyMemory<byte> ApplicationProtocol => "h2"u8.ToArray();

        public X509Certificate2? ClientCertificate { get; set; }

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }
}
