using System.Net;
using Kmesh.Waypoint.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Kmesh.Waypoint.Hosting;

/// <summary>
/// The waypoint's admin endpoint, in the daemon's and Envoy's paths: <c>/ready</c> (200 once the
/// first config is in force, 503 before), <c>/healthz</c>, and Istio's HTTP metrics at
/// <c>/metrics</c> and <c>/stats/prometheus</c>.
/// </summary>
internal sealed class WaypointAdmin : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WaypointAdmin(WebApplication app) => _app = app;

    /// <summary>Starts serving; a port that cannot be bound is an <see cref="IOException"/> naming the address.</summary>
    public static async Task<WaypointAdmin> StartAsync(IPEndPoint endpoint, WaypointMetrics metrics, Func<bool> ready)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSetting(WebHostDefaults.SuppressStatusMessagesKey, "true");
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
        var app = builder.Build();
        app.MapGet("/ready", () => ready() ? Results.Text("ready\n") : Results.Text("not ready: no configuration in force yet\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        async Task Metrics(HttpContext context)
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        }
        app.MapGet("/metrics", Metrics);
        app.MapGet("/stats/prometheus", Metrics);
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new IOException($"the waypoint's admin endpoint cannot listen on {endpoint}: {e.Message}", e);
        }
        return new WaypointAdmin(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
