using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Admin.Endpoints;

/// <summary>Every path of the admin API (docs/admin-api.md), and 404 for the rest.</summary>
internal static class AdminRoutes
{
    public static void Map(WebApplication app, IServiceProvider daemon)
    {
        var health = new HealthEndpoints(daemon);
        app.MapGet("/ready", health.Ready);
        app.MapGet("/healthz", health.HealthzAsync);

        var metrics = new MetricsEndpoint(daemon);
        app.MapGet("/metrics", metrics.WriteAsync);
        app.MapGet("/stats/prometheus", metrics.WriteAsync);

        app.MapGet("/status", new StatusEndpoint(daemon).Get);

        var plugins = new PluginsEndpoint(daemon);
        app.MapGet("/plugins", plugins.List);
        app.MapGet("/maps/{plugin}", plugins.Maps);
        app.MapGet("/maps/{plugin}/{map}", plugins.Entries);

        var logging = new LoggingEndpoint(daemon);
        app.MapGet("/logging", logging.Get);
        app.MapPost("/logging", logging.Set);

        app.MapGet("/config_dump", new ConfigDumpEndpoint(daemon).Get);
        app.MapGet("/accesslog", new AccessLogEndpoint(daemon).StreamAsync);

        app.MapFallback((HttpContext context) => Results.Text(
            $"no such path: {context.Request.Method} {context.Request.Path}; see docs/admin-api.md (/ready /healthz /metrics /status /config_dump /plugins /maps /logging /accesslog)\n",
            statusCode: StatusCodes.Status404NotFound));
    }
}
