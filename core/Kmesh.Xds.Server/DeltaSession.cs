using Envoy.Service.Discovery.V3;
using Grpc.Core;
using Kmesh.Envoy.Api;

namespace Kmesh.Xds.Server;

/// <summary>
/// One <c>DeltaAggregatedResources</c> stream, server side: keeps, per type, what the client has
/// (name → version, seeded from initial_resource_versions after a reconnect) and sends only the
/// difference: changed resources, and removed_resources for what left the subscription's view.
/// After the first response of a type, a store change compares only the names the store's change
/// sets say changed, so a one-resource change costs one comparison, not one per resource served.
/// </summary>
internal sealed class DeltaSession(ResourceStore store, AdsServerEvents events, string peer)
{
    private sealed class Subscription
    {
        public bool Wildcard;
        public HashSet<string> Names = new(StringComparer.Ordinal);
        public Dictionary<string, string> ClientHas = new(StringComparer.Ordinal);
        // The snapshot every name was last compared against; names changed since are compared at the next push.
        public long Serial;
        // After a NACK the client kept older versions than ClientHas said: the next push compares everything.
        public bool CompareAll = true;
    }

    private readonly Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    // What the client had before each unanswered response: a NACK means it kept that, not ours.
    private readonly Dictionary<string, Dictionary<string, string>> _before = new(StringComparer.Ordinal);
    private int _nonce;

    public async Task RunAsync(IAsyncStreamReader<DeltaDiscoveryRequest> requests, IServerStreamWriter<DeltaDiscoveryResponse> responses, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await foreach (var request in SessionEvents.Merge(requests, store, stop.Token).ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                if (request is null)
                {
                    foreach (var type in ServedSnapshot.PushOrder.Where(_subscriptions.ContainsKey))
                        await SendAsync(type, only: null, always: false, responses, stop.Token).ConfigureAwait(false);
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

    private async Task HandleAsync(DeltaDiscoveryRequest request, IServerStreamWriter<DeltaDiscoveryResponse> responses, CancellationToken cancellationToken)
    {
        var type = request.TypeUrl;
        if (request.Node is not null)
            events.NodeSeen(peer, request.Node.Id);
        if (request.ErrorDetail is not null && request.ErrorDetail.Code != 0)
        {
            events.Nacked(peer, type, request.ResponseNonce, request.ErrorDetail.Message);
            if (_before.Remove(request.ResponseNonce, out var kept) && _subscriptions.TryGetValue(type, out var nacked))
            {
                nacked.ClientHas = kept;
                nacked.CompareAll = true;
            }
            return;
        }
        if (request.ResponseNonce.Length > 0 && request.ResourceNamesSubscribe.Count == 0 && request.ResourceNamesUnsubscribe.Count == 0)
        {
            events.Acked(peer, type, request.ResponseNonce);
            _before.Remove(request.ResponseNonce);
            return;
        }
        var first = !_subscriptions.TryGetValue(type, out var subscription);
        if (subscription is null)
        {
            subscription = new Subscription
            {
                // Legacy wildcard: a first LDS/CDS request that names nothing.
                Wildcard = type is EnvoyTypes.Listener or EnvoyTypes.Cluster && request.ResourceNamesSubscribe.Count == 0,
            };
            foreach (var (name, version) in request.InitialResourceVersions)
                subscription.ClientHas[name] = version;
            _subscriptions[type] = subscription;
        }
        var wasWildcard = subscription.Wildcard;
        foreach (var name in request.ResourceNamesSubscribe)
        {
            if (name == "*")
                subscription.Wildcard = true;
            else
                subscription.Names.Add(name);
        }
        foreach (var name in request.ResourceNamesUnsubscribe)
        {
            if (name == "*")
                subscription.Wildcard = false;
            subscription.Names.Remove(name);
            if (!subscription.Wildcard)
                subscription.ClientHas.Remove(name);
        }
        // A new subscription, or a new wildcard, is compared whole; more names only for those names.
        var everything = first || (subscription.Wildcard && !wasWildcard);
        await SendAsync(type, everything ? null : request.ResourceNamesSubscribe, always: first, responses, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends what the client lacks. <paramref name="only"/>: just these names (more names subscribed);
    /// null: the names the store's change sets say changed since the last push, or every name when
    /// that is not known (a new subscription, after a NACK, a session far behind).
    /// </summary>
    private async Task SendAsync(string type, IEnumerable<string>? only, bool always, IServerStreamWriter<DeltaDiscoveryResponse> responses, CancellationToken cancellationToken)
    {
        var snapshot = store.Current;
        var subscription = _subscriptions[type];
        var served = snapshot.Of(type);
        IEnumerable<string> candidates;
        if (only is not null)
        {
            candidates = only;
        }
        else
        {
            var since = subscription.CompareAll ? null : snapshot.ChangedSince(subscription.Serial, type);
            candidates = since ?? served.Keys.Concat(subscription.ClientHas.Keys);
            subscription.Serial = snapshot.Serial;
            subscription.CompareAll = false;
        }
        var changed = new List<ServedResource>();
        var removed = new List<string>();
        foreach (var name in candidates.Distinct(StringComparer.Ordinal))
        {
            if ((subscription.Wildcard || subscription.Names.Contains(name)) && served.TryGetValue(name, out var resource))
            {
                if (subscription.ClientHas.GetValueOrDefault(name) != resource.Version)
                    changed.Add(resource);
            }
            else if (subscription.ClientHas.ContainsKey(name))
            {
                removed.Add(name);
            }
        }
        if (!always && changed.Count == 0 && removed.Count == 0)
            return;
        changed.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        removed.Sort(StringComparer.Ordinal);
        var response = new DeltaDiscoveryResponse
        {
            TypeUrl = type,
            SystemVersionInfo = snapshot.Version,
            Nonce = (++_nonce).ToString(System.Globalization.CultureInfo.InvariantCulture),
            RemovedResources = { removed },
        };
        _before[response.Nonce] = new Dictionary<string, string>(subscription.ClientHas, StringComparer.Ordinal);
        response.Resources.AddRange(changed.Select(r => new Resource { Name = r.Name, Version = r.Version, Resource_ = r.Body }));
        foreach (var resource in changed)
            subscription.ClientHas[resource.Name] = resource.Version;
        foreach (var name in removed)
            subscription.ClientHas.Remove(name);
        await responses.WriteAsync(response, cancellationToken).ConfigureAwait(false);
        events.Sent(peer, type, snapshot.Version, changed.Count, removed.Count);
    }
}
