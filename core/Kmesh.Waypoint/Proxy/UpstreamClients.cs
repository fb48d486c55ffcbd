using System.Collections.Concurrent;
using System.Net;

namespace Kmesh.Waypoint.Proxy;

/// <summary>
/// The HTTP clients the waypoint proxies with, one per connect timeout (a handler property), each
/// with the retrying handler in front. Connection pools live as long as the process, across
/// configurations. Nothing a proxy must not do: no redirects followed, no decompression, no
/// cookies, no system proxy.
/// </summary>
internal sealed class UpstreamClients : IDisposable
{
    private readonly ConcurrentDictionary<TimeSpan, HttpMessageInvoker> _byConnectTimeout = new();

    public HttpMessageInvoker For(TimeSpan connectTimeout) => _byConnectTimeout.GetOrAdd(connectTimeout, static timeout =>
        new HttpMessageInvoker(new RetryingHandler(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = timeout,
            ActivityHeadersPropagator = null,
        }), disposeHandler: true));

    public void Dispose()
    {
        foreach (var invoker in _byConnectTimeout.Values)
            invoker.Dispose();
    }
}
