using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Kmesh.Waypoint.Tests;

/// <summary>
/// An upstream service on a loopback port: answers with its name in the body and tells what it
/// received (authority, path, protocol, one chosen header) in response headers, unless a test
/// gives it another behaviour per request number.
/// </summary>
internal sealed class Backend : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private Backend(WebApplication app, string name)
    {
        _app = app;
        Name = name;
    }

    public string Name { get; }
    public int Port { get; private set; }

    /// <summary>Requests received so far.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <param name="behaviour">Given the 1-based request number, answers instead of the default; null to answer normally.</param>
    public static async Task<Backend> StartAsync(string name, HttpProtocols protocols = HttpProtocols.Http1, Func<int, HttpContext, Task<bool>>? behaviour = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = protocols));
        var app = builder.Build();
        var backend = new Backend(app, name);
        app.Run(async context =>
        {
            var number = Interlocked.Increment(ref backend._requests);
            if (behaviour is not null && await behaviour(number, context))
                return;
            context.Response.Headers["x-backend"] = name;
            context.Response.Headers["x-seen-host"] = context.Request.Host.Value;
            context.Response.Headers["x-seen-path"] = context.Request.Path + context.Request.QueryString;
            context.Response.Headers["x-seen-protocol"] = context.Request.Protocol;
            context.Response.Headers["x-seen-added"] = context.Request.Headers["x-added"].ToString();
            context.Response.Headers["x-seen-removed"] = context.Request.Headers["x-remove-me"].ToString();
            context.Response.Headers["x-remove-from-response"] = "still here";
            await context.Response.WriteAsync(name);
        });
        await app.StartAsync();
        backend.Port = new Uri(app.Urls.First()).Port;
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
