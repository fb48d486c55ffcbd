using Kmesh.Admin.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace Kmesh.Admin.Endpoints;

/// <summary><c>/metrics</c> (and Envoy's and ztunnel's <c>/stats/prometheus</c>): Prometheus text format, by prometheus-net.</summary>
internal sealed class MetricsEndpoint(IServiceProvider daemon)
{
    public async Task WriteAsync(HttpContext context)
    {
        var metrics = daemon.GetRequiredService<KmeshMetrics>();
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
