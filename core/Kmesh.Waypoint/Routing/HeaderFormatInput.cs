using Kmesh.Waypoint.Observability;
using Kmesh.Waypoint.Upstream;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Routing;

/// <summary>What a header value's commands read: the downstream request and connection, what the
/// waypoint decided for it so far, and — for response headers — the answer and the endpoint of the
/// last try.</summary>
/// <param name="Upstream">The endpoint that answered; null for request headers (Envoy adds those before it picks a host).</param>
/// <param name="IsResponse">Response headers are being edited: <c>%RESP(...)%</c> and <c>%RESPONSE_CODE%</c> have a value.</param>
internal readonly record struct HeaderFormatInput(HttpContext Context, RequestRecord Record, UpstreamEndpoint? Upstream, bool IsResponse)
{
    public static HeaderFormatInput ForRequest(HttpContext context, RequestRecord record) => new(context, record, null, false);

    public static HeaderFormatInput ForResponse(HttpContext context, RequestRecord record, UpstreamEndpoint? upstream = null) => new(context, record, upstream, true);
}
