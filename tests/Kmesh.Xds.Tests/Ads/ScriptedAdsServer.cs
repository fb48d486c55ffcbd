using System.Net;
using System.Threading.Channels;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>
/// An ADS server on loopback that the test drives by hand: it hands over every request the
/// client sends and writes exactly the responses the test gives, so protocol details (nonces,
/// versions, NACKs, malformed resources) can be checked one by one.
/// </summary>
internal sealed class ScriptedAdsServer : AggregatedDiscoveryService.AggregatedDiscoveryServiceBase, IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly Channel<DiscoveryRequest> _requests = Channel.CreateUnbounded<DiscoveryRequest>();
    private readonly Channel<DeltaDiscoveryRequest> _deltaRequests = Channel.CreateUnbounded<DeltaDiscoveryRequest>();
    private readonly Channel<IServerStreamWriter<DiscoveryResponse>> _sotwStreams = Channel.CreateUnbounded<IServerStreamWriter<DiscoveryResponse>>();
    private readonly Channel<IServerStreamWriter<DeltaDiscoveryResponse>> _deltaStreams = Channel.CreateUnbounded<IServerStreamWriter<DeltaDiscoveryResponse>>();
    private CancellationTokenSource _kill = new();
    private WebApplication? _app;
    private IServerStreamWriter<DiscoveryResponse>? _sotw;
    private IServerStreamWriter<DeltaDiscoveryResponse>? _delta;

    public int Port { get; private set; }

    /// <summary>Streams opened so far.</summary>
    public int Streams;

    /// <summary>The authorization header of each stream, in order.</summary>
    public List<string> Authorizations { get; } = [];

    /// <summary>Starts listening; with <paramref name="certificate"/>, over TLS.</summary>
    public async Task StartAsync(System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(this);
        builder.Services.AddGrpc();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l =>
        {
            l.Protocols = HttpProtocols.Http2;
            if (certificate is not null)
                l.UseHttps(certificate);
        }));
        _app = builder.Build();
        _app.MapGrpcService<ScriptedAdsServer>();
        await _app.StartAsync();
        Port = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
    }

    public override async Task StreamAggregatedResources(IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<DiscoveryResponse> responseStream, ServerCallContext context)
    {
        Interlocked.Increment(ref Streams);
        lock (Authorizations)
            Authorizations.Add(context.RequestHeaders.GetValue("authorization") ?? "");
        _sotwStreams.Writer.TryWrite(responseStream);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _kill.Token);
        await foreach (var request in requestStream.ReadAllAsync(both.Token))
            _requests.Writer.TryWrite(request);
    }

    public override async Task DeltaAggregatedResources(IAsyncStreamReader<DeltaDiscoveryRequest> requestStream, IServerStreamWriter<DeltaDiscoveryResponse> responseStream, ServerCallContext context)
    {
        Interlocked.Increment(ref Streams);
        _deltaStreams.Writer.TryWrite(responseStream);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, _kill.Token);
        await foreach (var request in requestStream.ReadAllAsync(both.Token))
            _deltaRequests.Writer.TryWrite(request);
    }

    /// <summary>The next SotW request (waits for a stream first if none is open).</summary>
    public async Task<DiscoveryRequest> NextAsync()
    {
        _sotw ??= await _sotwStreams.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        return await _requests.Reader.ReadAsync().AsTask().WaitAsync(Wait);
    }

    /// <summary>The next delta request.</summary>
    public async Task<DeltaDiscoveryRequest> NextDeltaAsync()
    {
        _delta ??= await _deltaStreams.Reader.ReadAsync().AsTask().WaitAsync(Wait);
        return await _deltaRequests.Reader.ReadAsync().AsTask().WaitAsync(Wait);
    }

    /// <summary>True if no request arrives within <paramref name="quiet"/>.</summary>
    public async Task<bool> QuietAsync(TimeSpan quiet)
    {
        using var timeout = new CancellationTokenSource(quiet);
        try
        {
            await _requests.Reader.WaitToReadAsync(timeout.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public Task SendAsync(DiscoveryResponse response) => _sotw!.WriteAsync(response);

    public Task SendAsync(DeltaDiscoveryResponse response) => _delta!.WriteAsync(response);

    /// <summary>Breaks the open streams, as a server restart does; the client must reconnect.</summary>
    public async Task KillStreamsAsync()
    {
        await _kill.CancelAsync();
        _kill = new CancellationTokenSource();
        _sotw = null;
        _delta = null;
    }

    public async ValueTask DisposeAsync()
    {
        await _kill.CancelAsync();
        if (_app is not null)
        {
            await _app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(2)).Token);
            await _app.DisposeAsync();
        }
    }
}
