using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Kmesh.Xds.Sources;
using Microsoft.Extensions.Logging;

namespace Kmesh.Xds.Ads;

/// <summary>
/// Follows a control plane over ADS (SotW or delta). The stream is re-opened with exponential
/// backoff and jitter whenever it breaks; meanwhile the daemon keeps serving what was last
/// applied, and the new stream starts from it (SotW versions, delta initial_resource_versions).
/// </summary>
public sealed partial class AdsConfigSource(XdsClientOptions options, ILogger log, XdsStatus? status = null) : IConfigSource
{
    /// <summary>The connection's state, for status and metrics.</summary>
    public XdsStatus Status { get; } = status ?? new XdsStatus();

    /// <inheritdoc />
    public string Description => $"xds {options.Mode.ToString().ToLowerInvariant()} {options.Address}";

    /// <inheritdoc />
    public ConfigUpdate? Initial => null;

    /// <inheritdoc />
    public async Task RunAsync(IConfigSink sink, CancellationToken cancellationToken)
    {
        Validation.ValidationWarmUp.Start(); // while the stream connects
        var engine = new AdsEngine(new XdsState(), sink, log, Status) { HoldFirstFetch = options.HoldFirstFetch };
        var node = XdsNodeIdentity.Build(options);
        var backoff = new AdsBackoff(options.InitialBackoff, options.MaxBackoff);
        var expiry = ExpireLoopAsync(engine, cancellationToken);
        LogNode(log, node.Id);
        while (!cancellationToken.IsCancellationRequested)
        {
            var worked = false;
            try
            {
                worked = await RunStreamAsync(engine, node, cancellationToken).ConfigureAwait(false);
                LogStreamEnded(log, options.Address, "the server closed the stream");
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                break; // stopping: the call was cancelled on purpose
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Whatever ended the stream (the network, the server, a bug in handling a response),
                // the source reconnects: it must never stop following the control plane.
                worked = e.Data["kmesh.worked"] is true;
                LogStreamEnded(log, options.Address, e is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : e.Message);
            }
            Status.StreamEnded();
            // Responses of a first fetch it held were never answered: the next stream fetches them again.
            await engine.StreamEndedAsync().ConfigureAwait(false);
            if (worked)
                backoff.Reset();
            var delay = backoff.Next();
            LogReconnecting(log, delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await expiry.ConfigureAwait(false);
    }

    /// <summary>Runs one stream to its end; true if the server answered at least once.</summary>
    private async Task<bool> RunStreamAsync(AdsEngine engine, global::Envoy.Config.Core.V3.Node node, CancellationToken cancellationToken)
    {
        using var channel = XdsChannel.Create(options);
        var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel);
        var headers = XdsChannel.Headers(options);
        LogConnecting(log, options.Address, options.Mode.ToString().ToLowerInvariant());
        if (options.Mode == XdsMode.Delta)
        {
            var stream = new DeltaAdsStream(engine, node);
            using var call = client.DeltaAggregatedResources(headers, cancellationToken: cancellationToken);
            return await Track(stream.RunAsync(call, cancellationToken), () => stream.ReceivedAny).ConfigureAwait(false);
        }
        else
        {
            var stream = new SotwAdsStream(engine, node);
            using var call = client.StreamAggregatedResources(headers, cancellationToken: cancellationToken);
            return await Track(stream.RunAsync(call, cancellationToken), () => stream.ReceivedAny).ConfigureAwait(false);
        }
    }

    private static async Task<bool> Track(Task run, Func<bool> receivedAny)
    {
        try
        {
            await run.ConfigureAwait(false);
            return receivedAny();
        }
        catch (Exception e)
        {
            e.Data["kmesh.worked"] = receivedAny();
            throw;
        }
    }

    private async Task ExpireLoopAsync(AdsEngine engine, CancellationToken cancellationToken)
    {
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(options.ResourceTimeout.TotalMilliseconds / 4, 100, 1000));
        using var timer = new PeriodicTimer(tick);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                await engine.ExpireAsync(options.ResourceTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping; answers of a first fetch held until now fail with the cancelled call (not always as OperationCanceledException).
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "xDS node id {NodeId}")]
    private static partial void LogNode(ILogger logger, string nodeId);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "xDS connecting to {Address} ({Mode})")]
    private static partial void LogConnecting(ILogger logger, string address, string mode);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "xDS stream to {Address} ended: {Reason}; the last applied config keeps serving")]
    private static partial void LogStreamEnded(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 303, Level = LogLevel.Information, Message = "xDS reconnecting in {Milliseconds:F0} ms")]
    private static partial void LogReconnecting(ILogger logger, double milliseconds);
}
