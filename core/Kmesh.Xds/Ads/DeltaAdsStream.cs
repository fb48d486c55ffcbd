using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Kmesh.Envoy.Api;
using Status = Google.Rpc.Status;

namespace Kmesh.Xds.Ads;

/// <summary>
/// One <c>DeltaAggregatedResources</c> stream: subscriptions change by name (LDS and CDS are
/// wildcard, <c>*</c>), responses carry changed resources and <c>removed_resources</c>, and after a
/// reconnect every request lists what is held in <c>initial_resource_versions</c> so the server
/// sends only what changed meanwhile.
/// </summary>
internal sealed class DeltaAdsStream(AdsEngine engine, Node node)
{
    private const int InvalidArgument = 3;
    private readonly Dictionary<string, SortedSet<string>> _sent = new(StringComparer.Ordinal);
    // Answers of the first fetch may be written later, by the absence timer: one write at a time.
    private readonly SemaphoreSlim _writing = new(1, 1);
    private IClientStreamWriter<DeltaDiscoveryRequest>? _writer;
    private bool _nodeSent;

    /// <summary>True once the server answered at least once.</summary>
    public bool ReceivedAny { get; private set; }

    public async Task RunAsync(AsyncDuplexStreamingCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse> call, CancellationToken cancellationToken)
    {
        _writer = call.RequestStream;
        var state = engine.State;
        await SubscribeAsync(EnvoyTypes.Cluster, ["*"], cancellationToken).ConfigureAwait(false);
        var ldsRequested = state.AcceptedVersion(EnvoyTypes.Listener).Length > 0;
        if (ldsRequested)
            await RequestRestAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            ReceivedAny = true;
            var type = response.TypeUrl;
            var version = response.SystemVersionInfo.Length > 0 ? response.SystemVersionInfo : response.Nonce;
            var wire = response.Resources.Select(r => new XdsDecoder.Wire(r.Name, r.Resource_, r.Version));
            await engine.HandleAsync(type, wire, response.RemovedResources, replaceAll: false, version,
                outcome => WriteAsync(new DeltaDiscoveryRequest
                {
                    TypeUrl = type,
                    ResponseNonce = response.Nonce,
                    ErrorDetail = outcome.Accepted ? null : new Status { Code = InvalidArgument, Message = outcome.ErrorDetail },
                }, cancellationToken), cancellationToken).ConfigureAwait(false);
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
        await SubscribeAsync(EnvoyTypes.Listener, ["*"], cancellationToken).ConfigureAwait(false);
        await ResubscribeAsync(EnvoyTypes.RouteConfiguration, cancellationToken).ConfigureAwait(false);
    }

    private async Task ResubscribeAsync(string type, CancellationToken cancellationToken)
    {
        var wanted = engine.State.Wanted(type);
        var known = _sent.TryGetValue(type, out var sent);
        if ((known && (ReferenceEquals(sent, wanted) || sent!.SetEquals(wanted))) || (!known && wanted.Count == 0))
            return;
        await SubscribeAsync(type, wanted, cancellationToken).ConfigureAwait(false);
    }

    private async Task SubscribeAsync(string type, SortedSet<string> names, CancellationToken cancellationToken)
    {
        var first = !_sent.TryGetValue(type, out var sent);
        sent ??= [];
        _sent[type] = names;
        if (!XdsTypes.IsWildcard(type))
            await engine.MarkRequestedAsync(type, names, cancellationToken).ConfigureAwait(false);
        var request = new DeltaDiscoveryRequest
        {
            TypeUrl = type,
            ResourceNamesSubscribe = { names.Except(sent) },
            ResourceNamesUnsubscribe = { sent.Except(names) },
        };
        if (first)
        {
            foreach (var (name, version) in engine.State.ResourceVersions(type))
                request.InitialResourceVersions[name] = version;
        }
        await WriteAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(DeltaDiscoveryRequest request, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
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
