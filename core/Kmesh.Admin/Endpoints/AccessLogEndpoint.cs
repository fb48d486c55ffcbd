using Kmesh.Core.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Kmesh.Admin.Endpoints;

/// <summary><c>/accesslog</c>: the connection access log as it happens, one JSON object per line, until the client hangs up.</summary>
internal sealed class AccessLogEndpoint(IServiceProvider daemon)
{
    public async Task StreamAsync(HttpContext context)
    {
        var hub = daemon.GetRequiredService<AccessLogHub>();
        if (!hub.Enabled)
        {
            context.Response.StatusCode = StatusCodes.Status409Conflict;
            await context.Response.WriteAsync("the access log is off: start the daemon with --access-log PATH (or - for standard output)\n", context.RequestAborted).ConfigureAwait(false);
            return;
        }
        context.Response.ContentType = "application/x-ndjson";
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false); // the headers now: a follower knows it is connected before the first line
        try
        {
            await foreach (var line in hub.FollowAsync(context.RequestAborted).ConfigureAwait(false))
            {
                await context.Response.WriteAsync(line + "\n", context.RequestAborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
    }
}
