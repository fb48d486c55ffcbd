using System.Threading.Channels;
using Kmesh.Core.Datapath;
using Kmesh.Core.Mesh;
using Kmesh.Sdk.Translation;
using Kmesh.Xds;
using Kmesh.Xds.Sources;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

/// <summary>
/// The daemon's one writer of kernel state. Takes work items from one queue: configurations
/// offered by the source (applied whole, or refused whole with the reasons so that a control
/// plane can be told), DNS refreshes, plugin reloads, counter reports. It decides when the node
/// is ready: once a warm configuration is in the maps and every plugin of the chain holds it.
/// </summary>
public sealed partial class UpdateLoop : BackgroundService, IConfigSink
{
    private readonly DatapathHost _datapathHost;
    private readonly ConfigSourceHost _source;
    private readonly DaemonOptions _options;
    private readonly DaemonStatus _status;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly DnsCache _dns = new();
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private MeshUpdater? _updater;
    private EnvoyResources _resources = new([], [], [], [], null);
    private string _version = "";
    private bool _warm;
    private bool _startupReported; // the start-up cost is logged at the first ready only
    /// <summary>Updates accepted but not written because the first fetch was still under way (they are written with the first warm one).</summary>
    public int HeldWhileWarming { get; private set; }

    private volatile IReadOnlyDictionary<(string Plugin, string Map), int> _appliedEntries = new Dictionary<(string, string), int>();

    /// <summary>Makes the loop; it starts with the host.</summary>
    public UpdateLoop(DatapathHost datapathHost, ConfigSourceHost source, DaemonOptions options, DaemonStatus status, TimeProvider time, ILoggerFactory loggers)
    {
        _datapathHost = datapathHost;
        _source = source;
        _options = options;
        _status = status;
        _time = time;
        _log = loggers.CreateLogger("kmesh");
    }

    private IDatapath Datapath => _datapathHost.Datapath;

    private MeshUpdater Updater => _updater ??= new MeshUpdater(Datapath, _dns, _log, StartingIds(), SaveIds);

    private int _savedIds;

    /// <summary>
    /// After an adoption, the ids the previous instance saved (so the first apply writes the ids
    /// the adopted maps hold); on a fresh data path, fresh ones (an old file is nobody's).
    /// </summary>
    private Kmesh.Sdk.Snapshot.StableMeshIds? StartingIds()
    {
        var path = MeshIdsFile.PathFor(_options.PinFolder);
        try
        {
            if (!Datapath.Adopted)
            {
                if (File.Exists(path))
                    File.Delete(path);
                return null;
            }
            var ids = MeshIdsFile.Load(path);
            if (ids is null)
                LogIdsMissing(_log, path);
            else
                LogIdsRestored(_log, ids.ServiceNames().Count, ids.ClusterNames().Count, ids.EndpointNames().Count, path);
            _savedIds = ids?.Count ?? 0;
            return ids;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogIdsUnreadable(_log, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Before an update is written: the ids it uses are saved first, when new ones were handed out
    /// and a successor may adopt the data path (it is kept at stop: <c>--keep-on-exit</c>).
    /// </summary>
    private void SaveIds(Kmesh.Sdk.Snapshot.StableMeshIds ids)
    {
        if (ids.Count == _savedIds || !Datapath.KeepsRunning)
            return;
        try
        {
            MeshIdsFile.Save(MeshIdsFile.PathFor(_options.PinFolder), ids);
            _savedIds = ids.Count;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogIdsUnsaved(_log, e.Message);
        }
    }

    /// <summary>The ids the kernel reports services and clusters by (names for metrics and logs).</summary>
    public Kmesh.Sdk.Snapshot.StableMeshIds Ids => Updater.Ids;

    /// <summary>How many entries the daemon last wrote to a plugin's map (metrics read it from any thread).</summary>
    public int AppliedEntries(string plugin, string map) => _appliedEntries.GetValueOrDefault((plugin, map));

    /// <summary>Queues a work item; false once the loop stopped.</summary>
    public bool Post(WorkItem item) => _queue.Writer.TryWrite(item);

    /// <summary>Resolves when the loop has handled everything queued before it (the liveness probe).</summary>
    public async Task<bool> PingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(new WorkItem.Ping(reply)))
            return false;
        try
        {
            await reply.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Applies the source's first configuration (a file's) before the host reports started, then starts taking work.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var initial = _source.Source.Initial;
        if (initial is not null)
        {
            await ApplyAsync(initial, cancellationToken).ConfigureAwait(false);
        }
        else if (Datapath.Adopted)
        {
            // Serving before syncing: the adopted maps hold the previous daemon's configuration,
            // and a chain serves it (this one, or the previous one until the switch).
            LogServingAdopted(_log, _source.Source.Description);
            Publish(null);
        }
        else
        {
            LogWaiting(_log, _source.Source.Description);
        }
        _source.Connect(this);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ConfigVerdict> OfferAsync(ConfigUpdate update, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<ConfigVerdict>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(new WorkItem.Offer(update, reply)))
            throw new OperationCanceledException("the daemon is stopping");
        using var registration = cancellationToken.Register(() => reply.TrySetCanceled(cancellationToken));
        return await reply.Task.ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var work in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
                await HandleAsync(work, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var pending))
            {
                if (pending is WorkItem.Offer offer)
                    offer.Reply.TrySetCanceled(CancellationToken.None);
            }
        }
    }

    private async Task HandleAsync(WorkItem work, CancellationToken cancellationToken)
    {
        switch (work)
        {
            case WorkItem.Offer offer:
                try
                {
                    offer.Reply.TrySetResult(await ApplyAsync(offer.Update, cancellationToken).ConfigureAwait(false));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A bug on the way to the kernel must not end the loop: the offer fails, the last good config serves.
                    LogUpdateFailed(_log, offer.Update.Version, e.ToString());
                    offer.Reply.TrySetException(e);
                }
                break;
            case WorkItem.RefreshDns:
                if (await RefreshDnsAsync(_resources, cancellationToken).ConfigureAwait(false))
                    Publish(Updater.Apply(_resources, _version).PluginErrors);
                break;
            case WorkItem.ReloadPlugins:
                ReloadPlugins();
                break;
            case WorkItem.ReportCounters:
                ReportPluginCounters(onlyChanged: true);
                break;
            case WorkItem.Ping ping:
                ping.Reply.TrySetResult();
                break;
        }
    }

    /// <summary>Translates the update; refuses it whole if a scrutinized resource has an error, else writes it.</summary>
    private async Task<ConfigVerdict> ApplyAsync(ConfigUpdate update, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        ReportConfigWarnings(update.Resources);
        await RefreshDnsAsync(update.Resources, cancellationToken).ConfigureAwait(false);
        var prepared = Updater.Prepare(update.Resources, update.Version);
        if (update.Scrutinized is { } scrutinized)
        {
            var rejections = prepared.Diagnostics
                .Where(d => d.Severity == DiagnosticSeverity.Error && scrutinized.Contains(d.Resource))
                .Select(d => new ResourceRejection(d.Resource, d.Field, d.Message))
                .ToList();
            // A plugin whose maps cannot hold the update would leave the kernel half-updated: refuse it whole.
            foreach (var (plugin, problem) in Updater.Check(prepared))
                rejections.Add(new ResourceRejection($"plugin {plugin}", "", problem));
            if (rejections.Count > 0)
            {
                foreach (var rejection in rejections)
                    LogConfigRejected(_log, rejection.ToString(), _version.Length == 0 ? "none" : _version);
                return ConfigVerdict.Reject(rejections);
            }
        }
        if (!_warm && !update.Warm)
        {
            // A first fetch still under way (an ADS source offers what arrived so far: clusters
            // without their listeners...) is judged, not written. With an adopted config in force,
            // writing it would take services out of the maps the serving chain reads; from nothing,
            // nothing serves before the first warm update anyway, and at 10 000 services writing
            // the clusters and endpoints before the listeners cost a full write of the maps and a
            // collection more (Envoy, too, serves only once its initial fetch is warm). It is
            // accepted, and applied whole with the first warm update.
            HeldWhileWarming++;
            if (Datapath.Adopted)
            {
                LogHeldUntilWarm(_log, update.Version);
            }
            else
            {
                LogWarming(_log, update.Version);
                Publish(null); // not ready: the first configuration is still arriving
            }
            return ConfigVerdict.Accept;
        }
        var result = Updater.Commit(prepared);
        update.InForce?.Invoke(); // before readiness below: the status lists what a ready daemon serves
        _resources = update.Resources;
        _version = update.Version;
        _warm |= update.Warm;
        _status.Publish(new AppliedConfig(update.Version, _time.GetUtcNow(), update.Resources, prepared.Facts, prepared.Diagnostics, result.PluginErrors),
            _time.GetElapsedTime(started));
        Publish(result.PluginErrors);
        Updater.RelieveMemory(); // now that nothing here holds the previous configuration any more
        return ConfigVerdict.Accept;
    }

    /// <summary>
    /// Ready means serving: a warm configuration is in force and no plugin of the chain kept its
    /// previous state. Said in the log when it changes (the line tests and operators wait for).
    /// </summary>
    private void Publish(IReadOnlyDictionary<string, string>? pluginErrors)
    {
        if (pluginErrors is not null)
            SwitchWhenFilled(pluginErrors);
        var entries = new Dictionary<(string, string), int>();
        foreach (var plugin in Datapath.Plugins)
        {
            foreach (var map in Updater.Applied.MapsOf(plugin.Name))
                entries[(plugin.Name, map)] = Updater.Applied.Entries(plugin.Name, map).Count;
        }
        _appliedEntries = entries;

        var reasons = new List<string>();
        var notes = new List<string>();
        if (!_warm && Datapath.Adopted)
            notes.Add($"serving the configuration adopted from the previous daemon ({(Datapath.SwitchPending ? "on its chain, until this one's new maps hold a configuration" : "on this daemon's chain")}); the first configuration from {_source.Source.Description} has not arrived yet");
        else if (!_warm)
            reasons.Add($"the first configuration from {_source.Source.Description} is still arriving");
        foreach (var (plugin, error) in pluginErrors ?? new Dictionary<string, string>())
            reasons.Add($"plugin {plugin} does not hold the configuration in force: {error}");
        if (_switchError is not null)
            reasons.Add(_switchError);
        var was = _status.Readiness;
        var now = reasons.Count == 0 ? (notes.Count == 0 ? Readiness.Serving : new Readiness(true, [], notes)) : new Readiness(false, reasons);
        _status.Publish(now);
        if (now.Ready && !was.Ready && notes.Count > 0)
        {
            LogReadyAdopted(_log, string.Join("; ", notes));
            ReportStartupCost();
        }
        else if (now.Ready && notes.Count == 0 && (!was.Ready || was.NotesOrEmpty.Count > 0))
        {
            var plugins = string.Join(", ", Datapath.Statuses.Where(s => s.Active).Select(s => $"{s.Name} {s.Version}"));
            LogReady(_log, _resources.Listeners.Count, _resources.Clusters.Count, plugins.Length == 0 ? "none" : plugins);
            ReportStartupCost();
        }
        else if (!now.Ready && _warm && (was.Ready || !was.Reasons.SequenceEqual(now.Reasons)))
        {
            LogUnready(_log, string.Join("; ", now.Reasons));
        }
    }

    private string? _switchError;

    /// <summary>
    /// After an adoption whose new maps had to be filled first (an upgrade): once an update put
    /// the configuration into them, the entry programs switch to this daemon's chain. A plugin
    /// with new maps that could not take the configuration holds the switch back (the adopted
    /// chain keeps serving); the next update tries again.
    /// </summary>
    private void SwitchWhenFilled(IReadOnlyDictionary<string, string> pluginErrors)
    {
        if (!Datapath.SwitchPending || !_warm)
            return;
        var unfilled = Datapath.AwaitingConfig.Where(pluginErrors.ContainsKey).Order(StringComparer.Ordinal).ToList();
        if (unfilled.Count > 0)
        {
            _switchError = $"this daemon's chain is not switched in (the adopted one serves): plugin {string.Join(", ", unfilled)} could not take the configuration into its new maps";
            LogSwitchHeld(_log, string.Join(", ", unfilled));
            return;
        }
        try
        {
            Datapath.SwitchToNewChain();
            _switchError = null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _switchError = $"this daemon's chain could not be switched in (the adopted one serves): {e.Message}";
            LogSwitchFailed(_log, e.ToString());
        }
    }

    private async Task<bool> RefreshDnsAsync(EnvoyResources resources, CancellationToken cancellationToken)
    {
        var names = DnsNames(resources);
        if (names.Count == 0)
            return false;
        var (changed, failures) = await _dns.RefreshAsync(names, cancellationToken).ConfigureAwait(false);
        foreach (var failure in failures)
            LogDnsFailure(_log, failure);
        return changed;
    }

    /// <summary>The DNS names the configuration in force uses (the refresh service asks only when there are some).</summary>
    internal bool UsesDns => DnsNames(_resources).Count > 0;

    /// <summary>
    /// The host names of the DNS clusters of <paramref name="resources"/>. Kept for the cluster list
    /// they were found in: a source hands on the same list while no cluster changes (an endpoint
    /// edit), and a walk of every cluster at each update (and refresh tick) cost ~1 ms at 10 000
    /// clusters, each one a cold cache line.
    /// </summary>
    private List<string> DnsNames(EnvoyResources resources)
    {
        if (_dnsNames is { } known && ReferenceEquals(known.Clusters, resources.Clusters))
            return known.Names;
        var names = SnapshotBuilder.DnsNames(resources).ToList();
        _dnsNames = new DnsNamesOf(resources.Clusters, names); // one reference: the refresh service reads it from its timer
        return names;
    }

    private DnsNamesOf? _dnsNames;

    private sealed record DnsNamesOf(IReadOnlyList<global::Envoy.Config.Cluster.V3.Cluster> Clusters, List<string> Names);

    /// <summary>How often the configuration in force wants its DNS names resolved again.</summary>
    internal TimeSpan DnsRefreshInterval => SnapshotBuilder.DnsRefreshInterval(_resources);

    /// <summary>Parts of the config that are not understood (unknown extension types) are said once per load.</summary>
    private void ReportConfigWarnings(EnvoyResources resources)
    {
        foreach (var warning in resources.Warnings)
            LogConfigWarning(_log, warning.ToString());
    }

    private void ReportStartupCost()
    {
        if (_startupReported)
            return;
        _startupReported = true;
        // Off the update path: reading the process's times is not free, and the source records the
        // versions it answered for only once this update returns.
        ThreadPool.QueueUserWorkItem(static log => LogStartupCost(log, StartupCost.Describe()), _log, preferLocal: false);
    }

    [LoggerMessage(EventId = 25, Level = LogLevel.Information, Message = "first ready {Cost}")]
    private static partial void LogStartupCost(ILogger logger, string cost);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "ready: {Listeners} listeners, {Clusters} clusters, chain: {Plugins}")]
    private static partial void LogReady(ILogger logger, int listeners, int clusters, string plugins);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "ready (adopted): {Notes}")]
    private static partial void LogReadyAdopted(ILogger logger, string notes);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Serving the configuration left in the kernel by the previous daemon until the first config from {Source} is in force")]
    private static partial void LogServingAdopted(ILogger logger, string source);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "Config {Version} is not applied yet: the first fetch is still under way, and the adopted configuration serves until it is complete")]
    private static partial void LogHeldUntilWarm(ILogger logger, string version);

    [LoggerMessage(EventId = 24, Level = LogLevel.Information, Message = "Config {Version} accepted, not applied yet: the first fetch is still under way (warming); it is written whole when complete")]
    private static partial void LogWarming(ILogger logger, string version);

    [LoggerMessage(EventId = 16, Level = LogLevel.Information, Message = "Mesh ids restored ({Services} services, {Clusters} clusters, {Endpoints} endpoints) from {Path}")]
    private static partial void LogIdsRestored(ILogger logger, int services, int clusters, int endpoints, string path);

    [LoggerMessage(EventId = 17, Level = LogLevel.Warning, Message = "No mesh ids saved at {Path}: ids are handed out afresh, in the order the config lists resources (the adopted maps match only if it is the previous one's)")]
    private static partial void LogIdsMissing(ILogger logger, string path);

    [LoggerMessage(EventId = 18, Level = LogLevel.Warning, Message = "Saved mesh ids cannot be read ({Reason}): ids are handed out afresh")]
    private static partial void LogIdsUnreadable(ILogger logger, string reason);

    [LoggerMessage(EventId = 19, Level = LogLevel.Warning, Message = "Mesh ids cannot be saved ({Reason}): a successor adopting this data path may hand out other ids")]
    private static partial void LogIdsUnsaved(ILogger logger, string reason);

    [LoggerMessage(EventId = 13, Level = LogLevel.Error, Message = "This daemon's chain is not switched in, the adopted one keeps serving: plugin {Plugins} could not take the configuration into its new maps")]
    private static partial void LogSwitchHeld(ILogger logger, string plugins);

    [LoggerMessage(EventId = 14, Level = LogLevel.Critical, Message = "This daemon's chain could not be switched in, the adopted one keeps serving: {Error}")]
    private static partial void LogSwitchFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 9, Level = LogLevel.Error, Message = "Node unready, not serving its configuration in full: {Reasons}")]
    private static partial void LogUnready(ILogger logger, string reasons);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Config rejected, still serving version {Version}: {Reason}")]
    private static partial void LogConfigRejected(ILogger logger, string reason, string version);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "DNS: {Failure}; keeping the last addresses")]
    private static partial void LogDnsFailure(ILogger logger, string failure);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Config: {Warning}")]
    private static partial void LogConfigWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Kernel chain attached, every connect passes through until the first config from {Source} is in force")]
    private static partial void LogWaiting(ILogger logger, string source);

    [LoggerMessage(EventId = 10, Level = LogLevel.Critical, Message = "Update {Version} failed on its way to the kernel; the last applied config keeps serving: {Error}")]
    private static partial void LogUpdateFailed(ILogger logger, string version, string error);
}
