using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Grpc.Core;
using Kmesh.Envoy.Api;

namespace Kmesh.Xds.Server;

/// <summary>
/// One <c>StreamAggregatedResources</c> stream, server side. LDS and CDS are answered with every
/// resource of the type (the state of the world); EDS and RDS with the names asked for. A request
/// answers the previous response (ACK, or NACK with error_detail, which is recorded) or changes a
/// subscription; a store change pushes every subscribed type whose content changed, clusters first; the store's
/// change sets tell which types changed without comparing the resources of the others.
/// </summary>
internal sealed class SotwSession(ResourceStore store, AdsServerEvents events, string peer)
{
    private readonly Dictionary<string, HashSet<string>?> _subscriptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UInt128> _sentHash = new(StringComparer.Ordinal);
    // The snapshot each type was last compared against: the store's change sets since then say whether it needs a push.
    private readonly Dictionary<string, long> _sentSerial = new(StringComparer.Ordinal);
    private int _nonce;

    public async Task RunAsync(IAsyncStreamReader<DiscoveryRequest> requests, IServerStreamWriter<DiscoveryResponse> responses, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await foreach (var request in SessionEvents.Merge(requests, store, stop.Token).ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                if (request is null)
                {
                    foreach (var type in ServedSnapshot.PushOrder.Where(_subscriptions.ContainsKey))
                    {
                        if (Touched(type))
                            await SendAsync(type, force: false, responses, stop.Token).ConfigureAwait(false);
                    }
                    continue;
                }
                await HandleAsync(request, responses, stop.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(DiscoveryRequest request, IServerStreamWriter<DiscoveryResponse> responses, CancellationToken cancellationToken)
    {
        var type = request.TypeUrl;
        if (request.Node is not null)
            events.NodeSeen(peer, request.Node.Id);
        if (request.ErrorDetail is not null && request.ErrorDetail.Code != 0)
        {
            events.Nacked(peer, type, request.ResponseNonce, request.ErrorDetail.Message);
            return; // the client keeps its last good version; resend only on the next change
        }
        if (request.ResponseNonce.Length > 0)
            events.Acked(peer, type, request.VersionInfo);
        HashSet<string>? names = Wildcard(type, request.ResourceNames) ? null : request.ResourceNames.ToHashSet(StringComparer.Ordinal);
        var known = _subscriptions.TryGetValue(type, out var previous);
        var changed = !known || (previous is null) != (names is null) || (previous is not null && !previous.SetEquals(names!));
        _subscriptions[type] = names;
        // A new stream's first request is always answered, even when the client already has this version.
        if (changed)
            await SendAsync(type, force: !known, responses, cancellationToken).ConfigureAwait(false);
    }

    private static bool Wildcard(string type, IReadOnlyCollection<string> names) =>
        (type is EnvoyTypes.Listener or EnvoyTypes.Cluster && names.Count == 0) || names.Contains("*");

    /// <summary>
    /// False when the changes since this type was last answered (the store's change sets) touch
    /// nothing it subscribes to: only changed types are pushed, without comparing every resource.
    /// </summary>
    private bool Touched(string type)
    {
        var snapshot = store.Current;
        if (!_sentSerial.TryGetValue(type, out var serial) || snapshot.ChangedSince(serial, type) is not { } changed)
            return true;
        var names = _subscriptions[type];
        if (names is null ? changed.Count > 0 : changed.Any(names.Contains))
            return true;
        _sentSerial[type] = snapshot.Serial;
        return false;
    }

    private async Task SendAsync(string type, bool force, IServerStreamWriter<DiscoveryResponse> responses, CancellationToken cancellationToken)
    {
        var snapshot = store.Current;
        _sentSerial[type] = snapshot.Serial;
        var names = _subscriptions[type];
        var served = snapshot.Of(type).Values.Where(r => names is null || names.Contains(r.Name)).ToList();
        // What was sent is known by a hash of the names and versions (10 000 of them for EDS at scale: no string of them all).
        var sequence = new ContentHash.Sequence();
        foreach (var resource in served)
            sequence.Append(resource.Name).Append(resource.Version);
        var hash = sequence.Value;
        if (!force && _sentHash.TryGetValue(type, out var sent) && sent == hash)
            return;
        _sentHash[type] = hash;
        var response = new DiscoveryResponse
        {
            TypeUrl = type,
            VersionInfo = snapshot.Version,
            Nonce = (++_nonce).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        response.Resources.AddRange(served.Select(r => r.Body));
        await responses.WriteAsync(response, cancellationToken).ConfigureAwait(false);
        events.Sent(peer, type, snapshot.Version, served.Count, 0);
    }
}
