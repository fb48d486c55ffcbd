using System.Net;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kmesh.Waypoint.Tests;

/// <summary>HTTP/2 without TLS (h2c) both ways, on the same port as HTTP/1.1, and gRPC over it.</summary>
public sealed class Http2Tests
{
    private const string Http2Options = """
        "typed_extension_protocol_options": {"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
          "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
          "explicit_http_config": {"http2_protocol_options": {}}}}
        """;

    private const string DownstreamOptions = """
        "typed_extension_protocol_options": {"envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
          "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
          "use_downstream_protocol_config": {}}}
        """;

    [Fact]
    public async Task OnePortServesHttp1AndPriorKnowledgeHttp2AndTheClusterChoosesTheUpstreamVersion()
    {
        await using var h2 = await Backend.StartAsync("h2", HttpProtocols.Http2);
        // Kestrel serves cleartext HTTP/2 only on an HTTP/2-only endpoint, so each version has its backend.
        await using var h2Follow = await Backend.StartAsync("h2-follow", HttpProtocols.Http2);
        await using var h1Follow = await Backend.StartAsync("h1-follow", HttpProtocols.Http1);
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("h", ["h"],
                """{"match": {"prefix": "/h2"}, "route": {"cluster": "h2"}}""",
                """{"match": {"prefix": "/follow-h2"}, "route": {"cluster": "h2-follow"}}""",
                """{"match": {"prefix": "/follow-h1"}, "route": {"cluster": "h1-follow"}}"""),
            MeshJson.Cluster("h2", [(h2.Port, 1)], extra: Http2Options),
            MeshJson.Cluster("h2-follow", [(h2Follow.Port, 1)], extra: DownstreamOptions),
            MeshJson.Cluster("h1-follow", [(h1Follow.Port, 1)], extra: DownstreamOptions)));
        using var http1 = waypoint.Client("h", HttpVersion.Version11);
        using var http2 = waypoint.Client("h", HttpVersion.Version20);

        // An HTTP/1.1 client reaches an HTTP/2-only cluster: the waypoint speaks h2c upstream.
        using var toH2 = await http1.GetAsync("/h2");
        Assert.Equal(HttpVersion.Version11, toH2.Version);
        Assert.Equal("HTTP/2", toH2.Headers.GetValues("x-seen-protocol").Single());
        // use_downstream_protocol_config: the upstream hears the client's version.
        using var viaHttp2 = await http2.GetAsync("/follow-h2");
        Assert.Equal(HttpVersion.Version20, viaHttp2.Version);
        Assert.Equal("HTTP/2", viaHttp2.Headers.GetValues("x-seen-protocol").Single());
        using var viaHttp1 = await http1.GetAsync("/follow-h1");
        Assert.Equal("HTTP/1.1", viaHttp1.Headers.GetValues("x-seen-protocol").Single());
    }

    [Fact]
    public async Task GrpcCallsGoThroughTheWaypointOverH2c()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var health = new HealthServiceImpl();
        health.SetStatus("reviews", HealthCheckResponse.Types.ServingStatus.Serving);
        builder.Services.AddSingleton(health);
        await using var app = builder.Build();
        app.MapGrpcService<HealthServiceImpl>();
        await app.StartAsync();
        var grpcPort = new Uri(app.Urls.First()).Port;
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("grpc", ["*"], """{"match": {"prefix": "/grpc.health.v1.Health/"}, "route": {"cluster": "grpc"}}"""),
            MeshJson.Cluster("grpc", [(grpcPort, 1)], extra: Http2Options)));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{waypoint.Port}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { UseProxy = false },
        });
        var client = new Health.HealthClient(channel);

        var serving = await client.CheckAsync(new HealthCheckRequest { Service = "reviews" });
        var unknown = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await client.CheckAsync(new HealthCheckRequest { Service = "nope" }));

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, serving.Status);
        // The backend's gRPC status (in trailers) reaches the client through the waypoint.
        Assert.Equal(Grpc.Core.StatusCode.NotFound, unknown.StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task AGrpcCallAnsweredUnavailableIsRetriedWhenTheRouteRetriesOnUnavailable()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var flaky = new FirstCallUnavailable();
        builder.Services.AddSingleton(flaky);
        await using var app = builder.Build();
        app.MapGrpcService<FirstCallUnavailable>();
        await app.StartAsync();
        var grpcPort = new Uri(app.Urls.First()).Port;
        // Istio's retry_on: the gRPC conditions read the grpc-status of a trailers-only answer.
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("grpc", ["*"],
                """{"match": {"prefix": "/"}, "route": {"cluster": "grpc", "retry_policy": {"retry_on": "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes", "num_retries": 2}}}"""),
            MeshJson.Cluster("grpc", [(grpcPort, 1)], extra: Http2Options)));
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{waypoint.Port}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { UseProxy = false },
        });
        var client = new Health.HealthClient(channel);

        var answer = await client.CheckAsync(new HealthCheckRequest { Service = "reviews" });

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, answer.Status);
        Assert.Equal(2, flaky.Calls);
        await app.StopAsync();
    }

    /// <summary>A health service whose first call fails UNAVAILABLE (a trailers-only answer), as a pod going away answers.</summary>
    private sealed class FirstCallUnavailable : Health.HealthBase
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public override Task<HealthCheckResponse> Check(HealthCheckRequest request, Grpc.Core.ServerCallContext context) =>
            Interlocked.Increment(ref _calls) == 1
                ? throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unavailable, "going away"))
                : Task.FromResult(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.Serving });
    }
}
