using System.Net;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Google.Protobuf;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.LoadBalance;

/// <summary>
/// What one cluster became: its map entries as the kernel stores them and the findings and
/// facts it reported, with everything it was made from (its Cluster, its endpoints, the ids it
/// was given). A cluster whose inputs are all the same at the next translation is written out
/// again as it was, without being translated.
/// </summary>
internal sealed class ClusterTranslation
{
    private readonly uint? _clusterId;
    private readonly IPEndPoint[] _endpoints;
    private readonly uint[] _endpointIds;
    private readonly MapKey[] _slotKeys;
    private readonly byte[][] _slotValues;
    private readonly MapKey _clusterKey;
    private readonly byte[]? _clusterValue;
    private readonly TranslationDiagnostic[] _diagnostics;
    private readonly TranslationFact[] _facts;
    private Cluster _cluster;
    private ClusterLoadAssignment? _assignment;

    /// <param name="cluster">The cluster translated.</param>
    /// <param name="assignment">Its resolved endpoints.</param>
    /// <param name="clusterId">The id it was given; null when it was left out before asking for one.</param>
    /// <param name="schedule">Its schedule entries, with the ids of its endpoints in the order they were first asked for.</param>
    /// <param name="clusterEntry">Its lb_clusters entry (key and value bytes); null when it was left out.</param>
    /// <param name="findings">What it reported.</param>
    public ClusterTranslation(Cluster cluster, ClusterLoadAssignment? assignment, uint? clusterId, ScheduleWriter? schedule,
        (MapKey Key, byte[] Value)? clusterEntry, TranslationOutput findings)
    {
        _cluster = cluster;
        _assignment = assignment;
        _clusterId = clusterId;
        _endpoints = schedule?.Endpoints.ToArray() ?? [];
        _endpointIds = schedule?.EndpointIds.ToArray() ?? [];
        _slotKeys = schedule?.Keys.ToArray() ?? [];
        _slotValues = schedule?.Values.ToArray() ?? [];
        if (clusterEntry is { } entry)
            (_clusterKey, _clusterValue) = entry;
        _diagnostics = findings.Diagnostics.ToArray();
        _facts = findings.Facts.ToArray();
    }

    /// <summary>Map entries held (what the translator's memory of it costs).</summary>
    public int EntryCount => _slotKeys.Length + 1;

    /// <summary>
    /// True when translating the cluster again would give exactly this: the same Cluster and
    /// endpoints (the same objects, or equal ones) and the same ids. Asks for the ids in the
    /// order a translation does, so that ids handed out for the first time come out the same.
    /// </summary>
    public bool Matches(string name, Cluster cluster, ClusterLoadAssignment? assignment, IMeshIds ids)
    {
        if (!Same(_cluster, cluster))
            return false;
        // A STATIC cluster's endpoints are its own load_assignment, which was just compared with it.
        var comparedWithCluster = ReferenceEquals(assignment, cluster.LoadAssignment) && ReferenceEquals(_assignment, _cluster.LoadAssignment);
        if (!comparedWithCluster && !Same(_assignment, assignment))
            return false;
        if (_clusterId is { } id && ids.ClusterId(name) != id)
            return false;
        for (var i = 0; i < _endpoints.Length; i++)
        {
            if (ids.EndpointId(_endpoints[i]) != _endpointIds[i])
                return false;
        }
        // Equal content in new objects (a state-of-the-world push re-sends everything): hold the
        // new ones, so that the previous snapshot is not kept alive and the next check is by reference.
        _cluster = cluster;
        _assignment = assignment;
        return true;
    }

    /// <summary>Writes the entries and re-reports the findings and facts, as the translation did.</summary>
    public void WriteTo(DesiredMap<LbSlotKey, LbEndpointEntry> schedule, DesiredMap<uint, LbClusterEntry> clusters, TranslationOutput output)
    {
        for (var i = 0; i < _slotKeys.Length; i++)
            schedule.SetBytes(_slotKeys[i], _slotValues[i]);
        if (_clusterValue is not null)
            clusters.SetBytes(_clusterKey, _clusterValue);
        Report(output);
    }

    /// <summary>Sets the entries in an incremental update and re-reports the findings and facts, as the translation did.</summary>
    public void WriteTo(MapChanges<LbSlotKey, LbEndpointEntry> schedule, MapChanges<uint, LbClusterEntry> clusters, TranslationOutput output)
    {
        for (var i = 0; i < _slotKeys.Length; i++)
            schedule.SetBytes(_slotKeys[i], _slotValues[i]);
        if (_clusterValue is not null)
            clusters.SetBytes(_clusterKey, _clusterValue);
        Report(output);
    }

    /// <summary>Removes the entries this translation wrote (the cluster changed or left).</summary>
    public void RemoveFrom(MapChanges<LbSlotKey, LbEndpointEntry> schedule, MapChanges<uint, LbClusterEntry> clusters)
    {
        foreach (var key in _slotKeys)
            schedule.RemoveBytes(key);
        if (_clusterValue is not null)
            clusters.RemoveBytes(_clusterKey);
    }

    private void Report(TranslationOutput output)
    {
        foreach (var d in _diagnostics)
        {
            switch (d.Severity)
            {
                case DiagnosticSeverity.Error:
                    output.Error(d.Resource, d.Field, d.Message);
                    break;
                case DiagnosticSeverity.Warning:
                    output.Warn(d.Resource, d.Field, d.Message);
                    break;
                default:
                    output.Info(d.Resource, d.Field, d.Message);
                    break;
            }
        }
        foreach (var fact in _facts)
            output.Applied(fact); // as kept: a deferred endpoint text is not written here
    }

    private static bool Same(IMessage? previous, IMessage? current) =>
        ReferenceEquals(previous, current) || (previous is not null && previous.Equals(current));
}
