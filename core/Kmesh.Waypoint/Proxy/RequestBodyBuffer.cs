using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Proxy;

/// <summary>
/// Keeps a small request body in memory so a retry can send it again, as Envoy's router buffers
/// a request body for its retries. Bounded: only a body whose Content-Length is at most
/// <see cref="Limit"/> is read ahead; a larger or chunked one streams through unbuffered (Envoy
/// too gives up retrying once its buffer overflows), so memory per request stays bounded.
/// </summary>
internal static class RequestBodyBuffer
{
    /// <summary>64 KiB, the order of Envoy's per-request retry buffer.</summary>
    public const int Limit = 64 * 1024;

    /// <summary>The whole body, or null when there is none to buffer or it is too large to.</summary>
    public static async Task<byte[]?> TryReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is not (> 0 and <= Limit) || request.Headers.TransferEncoding.Count > 0)
            return null;
        var body = new byte[request.ContentLength.Value];
        await request.Body.ReadExactlyAsync(body, cancellationToken);
        return body;
    }
}
