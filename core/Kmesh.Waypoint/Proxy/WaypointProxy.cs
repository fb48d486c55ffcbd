using System.Diagnostics;
using System.Net;
using Kmesh.Sdk.Waypoint;
using Kmesh.Waypoint.Extensions;
using Kmesh.Waypoint.Observability;
using Kmesh.Waypoint.Routing;
using Kmesh.Waypoint.Upstream;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Forwarder;

namespace Kmesh.Waypoint.Proxy;

/// <summary>
/// Handles one request the way Envoy's HTTP connection manager would: the virtual host by
/// authority among the port's listener, the first route that matches, then a direct answer, a
/// redirect, or a proxied request to an endpoint of the route's cluster with the route's timeout
/// and retries. Envoy's status codes where it would answer itself: 404 no route, 503 no cluster or
/// no healthy endpoint or a failed connect, 504 a timeout.
/// </summary>
internal sealed class WaypointProxy(IHttpForwarder forwarder, UpstreamClients clients, WaypointTables tables, RequestObserver observer, FilterRunner filters)
{
    public async Task HandleAsync(HttpContext context)
    {
        var record = new RequestRecord { Start = DateTimeOffset.UtcNow };
        var started = Stopwatch.GetTimestamp();
        try
        {
            await RouteAsync(context, record);
        }
        finally
        {
            if (context.RequestAborted.IsCancellationRequested && record.Flags == "-")
                record.Flags = "DC";
            observer.Completed(context, record, Stopwatch.GetElapsedTime(started));
        }
    }

    private async Task RouteAsync(HttpContext context, RequestRecord record)
    {
        var table = tables.Current;
        var port = context.Connection.LocalPort;
        var view = RequestView.Of(context.Request);
        var authority = context.Request.Host.Value ?? "";
        if (!table.Ports.TryGetValue(port, out var listeners)
            || listeners.For(authority) is not { } served
            || served.Hosts.Select(authority, port) is not { } host
            || host.Match(view) is not { } route)
        {
            record.Flags = "NR";
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        record.Route = route.Name;
        if (table.Filters.Count > 0 && !await filters.RunAsync(table.Filters, new WaypointRequest(context, served.Listener, served.Manager, served.RouteConfiguration, host.Source!, route.Source), record))
            return;
        switch (route.Outcome)
        {
            case DirectAnswer direct:
                await AnswerAsync(context, record, route, direct.Status, direct.Body);
                return;
            case RedirectAnswer redirect:
                context.Response.StatusCode = redirect.Status;
                route.ResponseHeaders.ApplyTo(context.Response.Headers, HeaderFormatInput.ForResponse(context, record));
                context.Response.Headers.Location = RedirectLocation(context.Request, redirect);
                return;
            case ForwardAction forward:
                await ForwardAsync(context, route, forward, table, view, record);
                return;
        }
    }

    private async Task ForwardAsync(HttpContext context, WaypointRoute route, ForwardAction action, WaypointTable table, RequestView view, RequestRecord record)
    {
        var clusterName = action.PickCluster();
        record.Cluster = clusterName;
        if (!table.Clusters.TryGetValue(clusterName, out var cluster) || cluster.Picker.Pick(action.Hash?.Compute(context)) is not { } endpoint)
        {
            record.Flags = cluster is null ? "NC" : "UH";
            await AnswerAsync(context, record, route, cluster is null ? action.ClusterNotFoundStatus : StatusCodes.Status503ServiceUnavailable, "no healthy upstream");
            return;
        }
        var rewrites = action.Rewrite is not null;
        var pathAndQuery = rewrites ? action.Rewrite!.Apply(view.Path) + context.Request.QueryString.Value : view.PathAndQuery;
        // A body can only be sent again if it was kept: read a small one ahead when the route retries or mirrors.
        var body = action.Retry.NumRetries > 0 || action.Mirrors is not null ? await RequestBodyBuffer.TryReadAsync(context.Request, context.RequestAborted) : null;
        if (body is not null)
            context.Request.Body = new MemoryStream(body, writable: false); // what YARP streams on the first try
        var plan = new AttemptPlan(action.Retry, cluster, endpoint, pathAndQuery, rewrites) { Body = body, CountAttempts = action.CountAttemptsUpstream };
        if (body is null && action.Retry.NumRetries > 0 && context.Request.ContentLength is null
            && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
            context.Request.Body = new BodyCapture(context.Request.Body, plan); // a body of unknown length: kept as it streams
        if (action.Mirrors is not null)
            RequestMirror.Start(context, route, action, table, clients, record, pathAndQuery, body);
        // YARP already cancels on RequestAborted; a token of our own is only needed for a route timeout, and requests are many.
        using var timeout = action.Timeout is { } limit ? CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted) : null;
        timeout?.CancelAfter(action.Timeout!.Value);
        var config = new ForwarderRequestConfig
        {
            // The route's timeout bounds the whole exchange; YARP's idle timeout must not cut it shorter.
            ActivityTimeout = action.Timeout is { } t && t > TimeSpan.FromSeconds(100) ? t : TimeSpan.FromSeconds(100),
            Version = VersionFor(cluster.Protocol, context.Request.Protocol),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        ForwarderError error;
        try
        {
            error = await forwarder.SendAsync(context, endpoint.Prefix, clients.For(cluster.ConnectTimeout), config, new RouteTransformer(route, action, plan, record), timeout?.Token ?? context.RequestAborted);
        }
        finally
        {
            record.UpstreamHost = plan.Endpoint.Prefix;
            record.Attempts = plan.Attempts;
        }
        if (error == ForwarderError.None || context.Response.HasStarted)
            return;
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (timeout?.IsCancellationRequested == true && !context.RequestAborted.IsCancellationRequested || plan.LastTryTimedOut || exception is TimeoutException)
        {
            record.Flags = "UT";
            await AnswerAsync(context, record, route, StatusCodes.Status504GatewayTimeout, "upstream request timeout");
        }
        else if (error is not ForwarderError.RequestCanceled)
        {
            record.Flags = "UF";
            await AnswerAsync(context, record, route, StatusCodes.Status503ServiceUnavailable, "upstream connect error or disconnect/reset before headers");
        }
    }

    private static Version VersionFor(UpstreamProtocol protocol, string downstream) => protocol switch
    {
        UpstreamProtocol.Http2 => HttpVersion.Version20,
        UpstreamProtocol.Downstream when HttpProtocol.IsHttp2(downstream) => HttpVersion.Version20,
        _ => HttpVersion.Version11,
    };

    private static async Task AnswerAsync(HttpContext context, RequestRecord record, WaypointRoute route, int status, string? body)
    {
        context.Response.Clear();
        context.Response.StatusCode = status;
        route.ResponseHeaders.ApplyTo(context.Response.Headers, HeaderFormatInput.ForResponse(context, record));
        if (body is { Length: > 0 })
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(body);
        }
    }

    private static string RedirectLocation(HttpRequest request, RedirectAnswer redirect)
    {
        var scheme = redirect.Scheme ?? request.Scheme;
        var host = redirect.Host ?? request.Host.Host;
        var port = redirect.Port ?? request.Host.Port;
        var path = redirect.Path ?? (redirect.Rewrite is { } rewrite ? rewrite.Apply((request.PathBase + request.Path).Value ?? "/") : (request.PathBase + request.Path).Value);
        var query = redirect.StripQuery ? "" : request.QueryString.Value;
        var authority = port is { } p && !(scheme == "http" && p == 80) && !(scheme == "https" && p == 443) ? $"{host}:{p}" : host;
        return $"{scheme}://{authority}{path}{query}";
    }
}
