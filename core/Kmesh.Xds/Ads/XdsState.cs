using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Kmesh.Envoy.Api;
using Kmesh.Sdk.Snapshot;

namespace Kmesh.Xds.Ads;

/// <summary>
/// What the client holds, independent of the wire variant: the accepted resources of each type,
/// and warming. A cluster is used only once its ClusterLoadAssignment arrived and a listener only
/// once its RouteConfigurations did (until then the version in force keeps serving, or nothing if
/// it is new); a requested resource that does not arrive within the timeout counts as absent.
/// Survives reconnects: a new stream starts from what the old one left.
/// </summary>
internal sealed class XdsState
{
    private Dictionary<string, Dictionary<string, XdsResource>> _sets =
        XdsTypes.Order.ToDictionary(t => t, _ => new Dictionary<string, XdsResource>(StringComparer.Ordinal));
    private Dictionary<string, string> _versions = new(StringComparer.Ordinal);
    private Dictionary<string, Listener> _activeListeners = new(StringComparer.Ordinal);
    private Dictionary<string, Cluster> _activeClusters = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Type, string Name), DateTime> _requested = [];
    private readonly HashSet<(string Type, string Name)> _absent = [];
    // Derived from the committed state, kept between commits so that a response that only updates
    // ClusterLoadAssignments or RouteConfigurations already held costs what it carries, not the
    // whole state: the wanted EDS/RDS names (the same set object until they change, so a stream
    // can tell "unchanged" by reference), whether anything warms or drains, and the last resources.
    private readonly Dictionary<string, SortedSet<string>> _wanted = new(StringComparer.Ordinal);
    private XdsProposal? _committed;
    private bool _steady;
    private int _absentChanges;
    private int _absentChangesAtCommit;
    // Which clusters use an EDS name and which listeners fetch an RDS name, for the cluster (or
    // listener) set they were built from; rebuilt only when that set changes.
    private (Dictionary<string, XdsResource> Set, Dictionary<string, List<Cluster>> Index)? _edsIndex;
    private (Dictionary<string, XdsResource> Set, Dictionary<string, List<string>> Index)? _rdsIndex;

    /// <summary>Serializes responses and the absence timer: one change at a time.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The last accepted version of a type ("" before any): SotW's version_info in requests and NACKs.</summary>
    public string AcceptedVersion(string typeUrl) => _versions.GetValueOrDefault(typeUrl, "");

    /// <summary>Name → version of the accepted resources of a type: delta's initial_resource_versions.</summary>
    public Dictionary<string, string> ResourceVersions(string typeUrl) =>
        _sets[typeUrl].Values.ToDictionary(r => r.Name, r => r.Version, StringComparer.Ordinal);

    /// <summary>The EDS or RDS names the accepted (and still serving) clusters and listeners need.
    /// The same object is returned until the names change: callers must not modify it.</summary>
    public SortedSet<string> Wanted(string typeUrl)
    {
        if (!_wanted.TryGetValue(typeUrl, out var names))
            _wanted[typeUrl] = names = Wanted(typeUrl, _sets, _activeListeners, _activeClusters);
        return names;
    }

    /// <summary>What a response would lead to.</summary>
    public XdsProposal Propose(string typeUrl, IReadOnlyList<XdsResource> upserts, IReadOnlyCollection<string> removals, bool replaceAll, string version)
    {
        if (UpdatesOnly(typeUrl, upserts, removals, replaceAll) is { } quick)
        {
            var quickVersions = new Dictionary<string, string>(_versions, StringComparer.Ordinal) { [typeUrl] = version };
            return quick with { Versions = quickVersions, Resources = quick.Resources with { VersionInfo = VersionInfo(quickVersions) } };
        }
        var sets = _sets.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var changed = replaceAll ? new Dictionary<string, XdsResource>(StringComparer.Ordinal) : new Dictionary<string, XdsResource>(sets[typeUrl], StringComparer.Ordinal);
        foreach (var resource in upserts)
            changed[resource.Name] = resource;
        foreach (var name in removals)
            changed.Remove(name);
        sets[typeUrl] = changed;
        var versions = new Dictionary<string, string>(_versions, StringComparer.Ordinal) { [typeUrl] = version };
        return Resolve(sets, versions, Scrutinize(typeUrl, upserts, sets));
    }

    /// <summary>
    /// A delta response that only brings new versions of ClusterLoadAssignments (or, with nothing
    /// warming or draining, RouteConfigurations) already held: no name arrives or leaves, so no
    /// cluster or listener changes warming state, the wanted names stay and so does warmth. Only
    /// the one set changes (the others, the clusters and the listeners in force are shared with
    /// the committed state). Null when the response needs the whole resolution.
    /// </summary>
    private XdsProposal? UpdatesOnly(string typeUrl, IReadOnlyList<XdsResource> upserts, IReadOnlyCollection<string> removals, bool replaceAll)
    {
        if (replaceAll || removals.Count > 0 || _committed is null || _absentChanges != _absentChangesAtCommit)
            return null;
        if (typeUrl != EnvoyTypes.ClusterLoadAssignment && !(typeUrl == EnvoyTypes.RouteConfiguration && _steady))
            return null;
        var held = _sets[typeUrl];
        foreach (var resource in upserts)
        {
            if (!held.ContainsKey(resource.Name))
                return null;
        }
        var changed = new Dictionary<string, XdsResource>(held, StringComparer.Ordinal);
        foreach (var resource in upserts)
            changed[resource.Name] = resource;
        var sets = new Dictionary<string, Dictionary<string, XdsResource>>(_sets, StringComparer.Ordinal) { [typeUrl] = changed };
        var old = _committed.Resources;
        var resources = typeUrl == EnvoyTypes.ClusterLoadAssignment
            ? old with { Endpoints = changed.Values.Select(r => (ClusterLoadAssignment)r.Message).ToList() }
            : old with { Routes = changed.Values.Select(r => (RouteConfiguration)r.Message).ToList() };
        return _committed with { Sets = sets, Resources = resources, Scrutinized = Scrutinize(typeUrl, upserts, sets) };
    }

    /// <summary>The current state again (after resources timed out): nothing is scrutinized.</summary>
    public XdsProposal Recompute() => Resolve(_sets, _versions, null);

    /// <summary>Makes a proposal the state; drops EDS/RDS resources nothing needs any more.</summary>
    public void Commit(XdsProposal proposal)
    {
        var quick = _committed is not null
            && ReferenceEquals(proposal.ActiveListeners, _committed.ActiveListeners)
            && ReferenceEquals(proposal.ActiveClusters, _committed.ActiveClusters)
            && ReferenceEquals(proposal.Sets[EnvoyTypes.Cluster], _sets[EnvoyTypes.Cluster])
            && ReferenceEquals(proposal.Sets[EnvoyTypes.Listener], _sets[EnvoyTypes.Listener]);
        if (quick)
        {
            // Only held EDS/RDS resources changed (see UpdatesOnly): the wanted names, warmth and
            // what warms or drains are those of the committed state.
            _sets = proposal.Sets;
            _versions = proposal.Versions;
            _committed = proposal;
            // Not counted as a change for ExpireAbsent: only names already held got new versions, so
            // which requested names arrived is as before (its walk of every name is not due again).
            return;
        }
        _changes++;
        _sets = proposal.Sets;
        _versions = proposal.Versions;
        _activeListeners = proposal.ActiveListeners;
        _activeClusters = proposal.ActiveClusters;
        var resources = proposal.Resources;
        foreach (var type in new[] { EnvoyTypes.ClusterLoadAssignment, EnvoyTypes.RouteConfiguration })
        {
            var wanted = Wanted(type, _sets, _activeListeners, _activeClusters);
            if (_wanted.TryGetValue(type, out var before) && before.SetEquals(wanted))
                wanted = before; // unchanged: the same object, so streams see "nothing to resubscribe" by reference
            _wanted[type] = wanted;
            var set = _sets[type];
            if (set.Keys.All(wanted.Contains))
                continue;
            var kept = set.Where(e => wanted.Contains(e.Key)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            _sets = new Dictionary<string, Dictionary<string, XdsResource>>(_sets, StringComparer.Ordinal) { [type] = kept };
            // What a later UpdatesOnly shares of the committed resources is what the state holds.
            resources = type == EnvoyTypes.ClusterLoadAssignment
                ? resources with { Endpoints = kept.Values.Select(r => (ClusterLoadAssignment)r.Message).ToList() }
                : resources with { Routes = kept.Values.Select(r => (RouteConfiguration)r.Message).ToList() };
        }
        if (_absent.RemoveWhere(k => _sets[k.Type].ContainsKey(k.Name)) > 0)
            _absentChanges++;
        _absentChangesAtCommit = _absentChanges;
        _committed = proposal with { Sets = _sets, Resources = resources };
        // Steady: every cluster and listener in force is the accepted one (nothing warms or drains).
        var clusterSet = _sets[EnvoyTypes.Cluster];
        var listenerSet = _sets[EnvoyTypes.Listener];
        _steady = _activeClusters.Count == clusterSet.Count
            && _activeClusters.All(e => clusterSet.TryGetValue(e.Key, out var r) && ReferenceEquals(r.Message, e.Value))
            && _activeListeners.Count == listenerSet.Count
            && _activeListeners.All(e => listenerSet.TryGetValue(e.Key, out var r) && ReferenceEquals(r.Message, e.Value));
    }

    /// <summary>
    /// Back to holding nothing (a first fetch whose held responses are replayed or forgotten): the
    /// names requested, and when, stay, as they are the stream's subscriptions.
    /// </summary>
    public void Clear()
    {
        _changes++;
        _sets = XdsTypes.Order.ToDictionary(t => t, _ => new Dictionary<string, XdsResource>(StringComparer.Ordinal));
        _versions = new(StringComparer.Ordinal);
        _activeListeners = new(StringComparer.Ordinal);
        _activeClusters = new(StringComparer.Ordinal);
        _wanted.Clear();
        _committed = null;
        _steady = false;
        _absentChangesAtCommit = _absentChanges;
        _edsIndex = null;
        _rdsIndex = null;
    }

    /// <summary>Notes when names were first requested, for the absence timeout; forgets names no longer requested.</summary>
    public void MarkRequested(string typeUrl, IReadOnlyCollection<string> names, DateTime now)
    {
        _changes++;
        foreach (var name in names)
            _requested.TryAdd((typeUrl, name), now);
        foreach (var key in _requested.Keys.Where(k => k.Type == typeUrl && !names.Contains(k.Name)).ToList())
        {
            _requested.Remove(key);
            if (_absent.Remove(key))
                _absentChanges++;
        }
    }

    /// <summary>Marks requested names that never arrived within <paramref name="timeout"/> as absent; true if any.</summary>
    /// <remarks>
    /// The absence timer calls this every second for the life of the stream. At 10 000 services a
    /// walk of every requested name each time was 10 000 lookups a second (half a second of CPU
    /// during a Debug start-up): the walk is skipped while nothing it reads changed (no commit, no
    /// new request) and no waiting name's time is up yet.
    /// </remarks>
    public bool ExpireAbsent(DateTime now, TimeSpan timeout)
    {
        if (_expiryChecked == (_changes, timeout) && now < _nextExpiry)
            return false;
        var changed = false;
        var next = DateTime.MaxValue;
        foreach (var (key, since) in _requested)
        {
            if (_sets[key.Type].ContainsKey(key.Name) || _absent.Contains(key))
                continue;
            if (now - since >= timeout)
            {
                _absent.Add(key);
                changed = true;
                _absentChanges++;
            }
            else if (since + timeout < next)
            {
                next = since + timeout;
            }
        }
        _expiryChecked = (_changes, timeout);
        _nextExpiry = next;
        return changed;
    }

    // What the last walk of ExpireAbsent saw (the count of changes to the sets and requests, the
    // timeout) and when a name it saw waiting is due; nothing is due before.
    private (int Changes, TimeSpan Timeout)? _expiryChecked;
    private DateTime _nextExpiry;
    private int _changes;

    /// <summary>Names marked absent, for logs.</summary>
    public IEnumerable<string> Absent => _absent.Select(k => $"{XdsTypes.Short(k.Type)} {k.Name}");

    private XdsProposal Resolve(Dictionary<string, Dictionary<string, XdsResource>> sets, Dictionary<string, string> versions, IReadOnlySet<ResourceRef>? scrutinized)
    {
        var arrived = (string type, string name) => sets[type].ContainsKey(name) || _absent.Contains((type, name));
        var clusters = new Dictionary<string, Cluster>(StringComparer.Ordinal);
        foreach (var cluster in sets[EnvoyTypes.Cluster].Values.Select(r => (Cluster)r.Message))
        {
            var eds = XdsTypes.EdsName(cluster);
            if (eds is null || arrived(EnvoyTypes.ClusterLoadAssignment, eds))
                clusters[cluster.Name] = cluster;
            else if (_activeClusters.TryGetValue(cluster.Name, out var serving))
                clusters[cluster.Name] = serving;
        }
        // A listener waits for its routes and for the clusters it names that are still warming;
        // a cluster that left CDS keeps serving while a listener in force still names it.
        var routeSet = sets[EnvoyTypes.RouteConfiguration];
        RouteConfiguration? Route(string name) => routeSet.TryGetValue(name, out var r) ? (RouteConfiguration)r.Message : null;
        var warming = sets[EnvoyTypes.Cluster].Keys.Where(n => !clusters.ContainsKey(n)).ToHashSet(StringComparer.Ordinal);
        var listeners = new Dictionary<string, Listener>(StringComparer.Ordinal);
        foreach (var listener in sets[EnvoyTypes.Listener].Values.Select(r => (Listener)r.Message))
        {
            // Without a warming cluster (the steady state) no listener waits for one: its references need no walk.
            if (EnvoyReferences.RdsNames(listener).All(n => arrived(EnvoyTypes.RouteConfiguration, n))
                && (warming.Count == 0 || !EnvoyReferences.ClusterNames(listener, Route).Overlaps(warming)))
                listeners[listener.Name] = listener;
            else if (_activeListeners.TryGetValue(listener.Name, out var serving))
                listeners[listener.Name] = serving;
        }
        // Only a cluster in force that is not in the new set can be draining: without one, no listener needs a walk.
        if (_activeClusters.Keys.Any(n => !clusters.ContainsKey(n)))
        {
            foreach (var name in listeners.Values.SelectMany(l => EnvoyReferences.ClusterNames(l, Route)))
            {
                if (!clusters.ContainsKey(name) && _activeClusters.TryGetValue(name, out var draining))
                    clusters[name] = draining;
            }
        }
        var warm = versions.ContainsKey(EnvoyTypes.Cluster) && versions.ContainsKey(EnvoyTypes.Listener)
            && Wanted(EnvoyTypes.ClusterLoadAssignment, sets, listeners, clusters).All(n => arrived(EnvoyTypes.ClusterLoadAssignment, n))
            && Wanted(EnvoyTypes.RouteConfiguration, sets, listeners, clusters).All(n => arrived(EnvoyTypes.RouteConfiguration, n));
        var resources = new EnvoyResources(
            listeners.Values.ToList(),
            clusters.Values.ToList(),
            sets[EnvoyTypes.ClusterLoadAssignment].Values.Select(r => (ClusterLoadAssignment)r.Message).ToList(),
            sets[EnvoyTypes.RouteConfiguration].Values.Select(r => (RouteConfiguration)r.Message).ToList(),
            VersionInfo(versions));
        return new XdsProposal(sets, versions, resources, listeners, clusters, scrutinized, warm);
    }

    private static string VersionInfo(Dictionary<string, string> versions) =>
        string.Join(' ', XdsTypes.Order.Select(t => $"{XdsTypes.Short(t)}={versions.GetValueOrDefault(t, "-")}"));

    private static SortedSet<string> Wanted(string typeUrl, Dictionary<string, Dictionary<string, XdsResource>> sets,
        Dictionary<string, Listener> activeListeners, Dictionary<string, Cluster> activeClusters)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        if (typeUrl == EnvoyTypes.ClusterLoadAssignment)
        {
            foreach (var cluster in sets[EnvoyTypes.Cluster].Values.Select(r => (Cluster)r.Message).Concat(activeClusters.Values))
                if (XdsTypes.EdsName(cluster) is { } eds)
                    names.Add(eds);
        }
        else if (typeUrl == EnvoyTypes.RouteConfiguration)
        {
            foreach (var listener in sets[EnvoyTypes.Listener].Values.Select(r => (Listener)r.Message).Concat(activeListeners.Values))
                names.UnionWith(EnvoyReferences.RdsNames(listener));
        }
        return names;
    }

    /// <summary>The resources whose translation errors refuse this response: those it carries, and those it completes.</summary>
    private HashSet<ResourceRef> Scrutinize(string typeUrl, IReadOnlyList<XdsResource> upserts, Dictionary<string, Dictionary<string, XdsResource>> sets)
    {
        var names = upserts.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var result = new HashSet<ResourceRef>();
        switch (typeUrl)
        {
            case EnvoyTypes.Cluster:
            case EnvoyTypes.Listener:
                result.UnionWith(names.Select(n => XdsTypes.Reference(typeUrl, n)));
                break;
            case EnvoyTypes.ClusterLoadAssignment:
            {
                var index = EdsIndex(sets[EnvoyTypes.Cluster]);
                foreach (var name in names)
                    foreach (var cluster in index.GetValueOrDefault(name) ?? [])
                        result.Add(XdsTypes.Reference(EnvoyTypes.Cluster, cluster.Name));
                break;
            }
            case EnvoyTypes.RouteConfiguration:
            {
                var index = RdsIndex(sets[EnvoyTypes.Listener]);
                foreach (var name in names)
                    foreach (var listener in index.GetValueOrDefault(name) ?? [])
                        result.Add(XdsTypes.Reference(EnvoyTypes.Listener, listener));
                break;
            }
        }
        return result;
    }

    /// <summary>EDS name → the clusters using it (in the set's order), for a cluster set; cached while that set is in use.</summary>
    public Dictionary<string, List<Cluster>> EdsIndex(Dictionary<string, XdsResource> clusterSet)
    {
        if (_edsIndex is { } cached && ReferenceEquals(cached.Set, clusterSet))
            return cached.Index;
        var index = new Dictionary<string, List<Cluster>>(StringComparer.Ordinal);
        foreach (var cluster in clusterSet.Values.Select(r => (Cluster)r.Message))
        {
            if (XdsTypes.EdsName(cluster) is not { } eds)
                continue;
            if (!index.TryGetValue(eds, out var list))
                index[eds] = list = [];
            list.Add(cluster);
        }
        _edsIndex = (clusterSet, index);
        return index;
    }

    /// <summary>RDS name → the listeners fetching it, for a listener set; cached while that set is in use.</summary>
    private Dictionary<string, List<string>> RdsIndex(Dictionary<string, XdsResource> listenerSet)
    {
        if (_rdsIndex is { } cached && ReferenceEquals(cached.Set, listenerSet))
            return cached.Index;
        var index = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var listener in listenerSet.Values.Select(r => (Listener)r.Message))
        {
            foreach (var rds in EnvoyReferences.RdsNames(listener).Distinct(StringComparer.Ordinal))
            {
                if (!index.TryGetValue(rds, out var list))
                    index[rds] = list = [];
                list.Add(listener.Name);
            }
        }
        _rdsIndex = (listenerSet, index);
        return index;
    }
}
