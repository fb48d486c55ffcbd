using Kmesh.Waypoint.Observability;
using Kmesh.Waypoint.Routing;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Kmesh.Waypoint.Proxy;

/// <summary>
/// Shapes the proxied request and response as Envoy would for the matched route: the client's
/// authority is kept (YARP's default would send the endpoint's), or rewritten by the route's
/// <see cref="Routing.HostRewrite"/>; the header edits of route, virtual
/// host and route configuration are applied both ways.
/// </summary>
internal sealed class RouteTransformer(WaypointRoute route, ForwardAction action, AttemptPlan plan, RequestRecord record) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        // YARP's default already points at destinationPrefix + the request's path and query.
        if (plan.PathRewritten)
            proxyRequest.RequestUri = new Uri(destinationPrefix + plan.PathAndQuery);
        proxyRequest.Headers.Host = action.HostRewrite?.For(httpContext.Request, plan.Endpoint, (httpContext.Request.PathBase + httpContext.Request.Path).Value ?? "/")
            ?? httpContext.Request.Host.Value;
        route.RequestHeaders.ApplyTo(proxyRequest, HeaderFormatInput.ForRequest(httpContext, record));
        proxyRequest.Options.Set(AttemptPlan.Key, plan);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is not null && action.CountAttemptsInResponse)
            httpContext.Response.Headers[RetryingHandler.AttemptCountHeader] = plan.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (proxyResponse is not null)
            route.ResponseHeaders.ApplyTo(httpContext.Response.Headers, HeaderFormatInput.ForResponse(httpContext, record, plan.Endpoint));
        return proceed;
    }
}
