using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Kmesh.Envoy.Api;
using Status = Google.Rpc.Status;

namespace Kmesh.Xds.Ads;

/// <summary>
/// One <c>StreamAggregatedResources</c> stream: CDS first, then EDS for the clusters and LDS, then
/// RDS for the listeners. Every response is answered: ACK with its version_info and nonce, or NACK
/// with the last accepted version and an error_detail. LDS and CDS responses are the full set (a
/// resource left out is removed); EDS and RDS responses update the named resources.
/// </summary>
internal sealed class SotwAdsStream(AdsEngine engine, Node node)
{
    private const int InvalidArgument = 3;
    private readonly Dictionary<string, SortedSet<string>> _sent = new(StringComparer.Ordinal);
    // The nonce of the last answered response of each type: a request names it. Not the last received:
    // a response of the first fetch may wait for its answer, and a request naming it would ACK it.
    private readonly Dictionary<string, string> _nonces = new(StringComparer.Ordinal);
    // Answers of the first fetch may be written later, by the absence timer: one write at a time.
    private readonly SemaphoreSlim _writing = new(1, 1);
    // Every push carries the whole set again: what did not change since the last accepted one is not parsed again.
    private readonly SotwBodies _bodies = new();
    private IClientStreamWriter<DiscoveryRequest>? _writer;
    private bool _nodeSent;

    /// <summary>True once the server answered at least once (the reconnect backoff starts over).</summary>
    public bool ReceivedAny { get; private set; }

    public async Task RunAsync(AsyncDuplexStreamingCall<DiscoveryRequest, DiscoveryResponse> call, CancellationToken cancellationToken)
    {
        _writer = call.RequestStream;
        var state = engine.State;
        await SendAsync(EnvoyTypes.Cluster, [], cancellationToken).ConfigureAwait(false);
        // After a reconnect the clusters and listeners in force still need their EDS and RDS.
        var ldsRequested = state.AcceptedVersion(EnvoyTypes.Listener).Length > 0;
        if (ldsRequested)
            await RequestRestAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            ReceivedAny = true;
            var type = response.TypeUrl;
            var wire = response.Resources.Select(a => new XdsDecoder.Wire(null, a, response.VersionInfo));
            await engine.HandleAsync(type, wire, [], XdsTypes.IsWildcard(type), response.VersionInfo,
                outcome => WriteAsync(() =>
                {
                    _nonces[type] = response.Nonce;
                    return new DiscoveryRequest
                    {
                        TypeUrl = type,
                        VersionInfo = outcome.Accepted ? response.VersionInfo : state.AcceptedVersion(type),
                        ResponseNonce = response.Nonce,
                        ResourceNames = { _sent.GetValueOrDefault(type) ?? [] },
                        ErrorDetail = outcome.Accepted ? null : new Status { Code = InvalidArgument, Message = outcome.ErrorDetail },
                    };
                }, cancellationToken), cancellationToken, _bodies).ConfigureAwait(false);
            if (!ldsRequested && type == EnvoyTypes.Cluster)
            {
                ldsRequested = true;
                await RequestRestAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ResubscribeAsync(EnvoyTypes.ClusterLoadAssignment, cancellationToken).ConfigureAwait(false);
                await ResubscribeAsync(EnvoyTypes.RouteConfiguration, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RequestRestAsync(CancellationToken cancellationToken)
    {
        await ResubscribeAsync(EnvoyTypes.ClusterLoadAssignment, cancellationToken).ConfigureAwait(false);
        await SendAsync(EnvoyTypes.Listener, [], cancellationToken).ConfigureAwait(false);
        await ResubscribeAsync(EnvoyTypes.RouteConfiguration, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks for the EDS/RDS names the state now needs, if they changed since the last request.</summary>
    private async Task ResubscribeAsync(string type, CancellationToken cancellationToken)
    {
        var wanted = engine.State.Wanted(type);
        var known = _sent.TryGetValue(type, out var sent);
        if ((known && (ReferenceEquals(sent, wanted) || sent!.SetEquals(wanted))) || (!known && wanted.Count == 0))
            return;
        await SendAsync(type, wanted, cancellationToken).ConfigureAwait(false);
    }

    private async Task SendAsync(string type, SortedSet<string> names, CancellationToken cancellationToken)
    {
        _sent[type] = names;
        await engine.MarkRequestedAsync(type, names, cancellationToken).ConfigureAwait(false);
        await WriteAsync(() => new DiscoveryRequest
        {
            TypeUrl = type,
            VersionInfo = engine.State.AcceptedVersion(type),
            ResponseNonce = _nonces.GetValueOrDefault(type, ""),
            ResourceNames = { names },
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the request <paramref name="make"/> builds, once it is this request's turn (what it names is read then).</summary>
    private async Task WriteAsync(Func<DiscoveryRequest> make, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var request = make();
            // The node goes in the first request only, as Envoy does: the server keeps it for the stream.
            if (!_nodeSent)
            {
                request.Node = node;
                _nodeSent = true;
            }
            await _writer!.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }
}
