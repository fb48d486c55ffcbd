using Kmesh.Waypoint.Observability;
using Kmesh.Waypoint.Routing;
using Kmesh.Waypoint.Upstream;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Proxy;

/// <summary>
/// Sends the copies a route's <c>request_mirror_policies</c> ask for, as Envoy's shadowing does:
/// the request as the route sends it upstream (path rewritten, header edits applied), its
/// authority with <c>-shadow</c>, to an endpoint of the mirror cluster; started alongside the
/// request and never awaited by it, the answer thrown away. A copy needs the whole body: a request
/// whose body is not kept in memory (<see cref="RequestBodyBuffer"/>) is not mirrored.
/// </summary>
internal static class RequestMirror
{
    // Hop-by-hop headers, and the ones the copy sets itself.
    private static readonly HashSet<string> NotCopied = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Host",
    };

    public static void Start(HttpContext context, WaypointRoute route, ForwardAction action, WaypointTable table, UpstreamClients clients,
        RequestRecord record, string pathAndQuery, byte[]? body)
    {
        var hasBody = context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0;
        if (hasBody && body is null)
            return;
        foreach (var mirror in action.Mirrors!)
        {
            if (!mirror.Draw()
                || !table.Clusters.TryGetValue(mirror.Cluster, out var cluster)
                || cluster.Picker.Pick(action.Hash?.Compute(context)) is not { } endpoint)
                continue;
            var copy = Copy(context, route, record, mirror, endpoint, pathAndQuery, body);
            _ = SendAsync(clients.For(cluster.ConnectTimeout), copy, action.Timeout ?? RouteCompiler.DefaultTimeout);
        }
    }

    private static HttpRequestMessage Copy(HttpContext context, WaypointRoute route, RequestRecord record, MirrorPolicy mirror,
        UpstreamEndpoint endpoint, string pathAndQuery, byte[]? body)
    {
        var request = context.Request;
        var copy = new HttpRequestMessage(new HttpMethod(request.Method), endpoint.Prefix + pathAndQuery)
        {
            Version = HttpProtocol.IsHttp2(request.Protocol) ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        if (body is not null)
            copy.Content = new ByteArrayContent(body);
        foreach (var (name, values) in request.Headers)
        {
            if (NotCopied.Contains(name) || name.StartsWith(':'))
                continue;
            if (!copy.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
                copy.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
        }
        copy.Headers.Host = mirror.ShadowAuthority(request.Host.Value ?? "");
        route.RequestHeaders.ApplyTo(copy, HeaderFormatInput.ForRequest(context, record));
        return copy;
    }

    private static async Task SendAsync(HttpMessageInvoker client, HttpRequestMessage copy, TimeSpan timeout)
    {
        // Outside the request's own flow: its cancellation and its end do not cut the copy short.
        await Task.Yield();
        using (copy)
        using (var limit = new CancellationTokenSource(timeout))
        {
            try
            {
                using var response = await client.SendAsync(copy, limit.Token);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // A mirror's failure is the mirror's: Envoy does not report it to the client either.
            }
        }
    }
}
