using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Kmesh.Ctl.Tests;

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, a free port) answering the admin API's paths with
/// documents in the contract's shapes (docs/admin-api.md), as the tests set them. It records
/// every request so a test can see the query the CLI sent.
/// </summary>
internal sealed class AdminServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AdminServer(WebApplication app) => _app = app;

    public string Address => _app.Urls.Single();

    /// <summary>"GET /path?query" of every request, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public string StatusJson { get; set; } = ContractDocuments.ReadyStatus;
    public ConfigDumpServer ConfigDump { get; set; } = new(MeshDump.Create());
    public string Metrics { get; set; } = ContractDocuments.Metrics;
    public string PluginsJson { get; set; } = ContractDocuments.Plugins;
    public Dictionary<string, string> MapLists { get; } = new() { ["loadbalance"] = ContractDocuments.LoadBalanceMaps };
    public Dictionary<string, string> MapEntries { get; } = new() { ["loadbalance/lb_schedule"] = ContractDocuments.ScheduleEntries };
    public string LogLevel { get; set; } = "info";

    /// <summary>Null: the daemon runs without --access-log (409).</summary>
    public Channel<string>? AccessLog { get; set; } = Channel.CreateUnbounded<string>();

    public static async Task<AdminServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new AdminServer(app);
        server.Map(app);
        await app.StartAsync();
        return server;
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}");
            try
            {
                await next();
            }
            catch (Exception e) when (!context.Response.HasStarted)
            {
                // A bug in this test server: say what it was instead of a bare 500.
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("test server: " + e.ToString().ReplaceLineEndings(" | "));
            }
        });
        app.MapGet("/status", () => Results.Text(StatusJson, "application/json"));
        app.MapGet("/config_dump", (HttpRequest request) => ConfigDump.Answer(request.Query["resource"], request.Query["name_regex"]));
        app.MapGet("/metrics", () => Results.Text(Metrics, "text/plain; version=0.0.4"));
        app.MapGet("/plugins", () => Results.Text(PluginsJson, "application/json"));
        app.MapGet("/maps/{plugin}", (string plugin) => MapLists.TryGetValue(plugin, out var json)
            ? Results.Text(json, "application/json")
            : Results.Text($"no plugin '{plugin}' in the chain", statusCode: 404));
        app.MapGet("/maps/{plugin}/{map}", (string plugin, string map) => MapEntries.TryGetValue($"{plugin}/{map}", out var json)
            ? Results.Text(json, "application/json")
            : Results.Text($"plugin '{plugin}' has no map '{map}'", statusCode: 404));
        app.MapGet("/logging", () => Results.Text(LogLevel));
        app.MapPost("/logging", (HttpRequest request) =>
        {
            string? level = request.Query["level"];
            if (level is not ("trace" or "debug" or "info" or "warning" or "error" or "critical" or "off"))
                return Results.Text($"unknown log level '{level}'", statusCode: 400);
            LogLevel = level;
            return Results.Text(LogLevel);
        });
        app.MapGet("/accesslog", StreamAccessLogAsync);
        app.MapGet("/broken", () => Results.Text("the update loop is stuck", statusCode: 500));
    }

    private async Task StreamAccessLogAsync(HttpContext context)
    {
        if (AccessLog is null)
        {
            context.Response.StatusCode = 409;
            await context.Response.WriteAsync("the daemon runs without --access-log", context.RequestAborted);
            return;
        }
        context.Response.ContentType = "application/x-ndjson";
        await context.Response.StartAsync(context.RequestAborted);
        try
        {
            await foreach (var line in AccessLog.Reader.ReadAllAsync(context.RequestAborted))
            {
                await context.Response.WriteAsync(line + "\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The client hung up: that is how the stream is meant to end.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
