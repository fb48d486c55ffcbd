using System.Threading.Channels;
using Kmesh.Core.Datapath;
using Kmesh.Core.Mesh;
using Kmesh.Core.Plugins;
using Kmesh.Sdk.Translation;
using Kmesh.Xds;
using Kmesh.Xds.Ads;
using Kmesh.Xds.Sources;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

/// <summary>
/// The node daemon: loads the plugin chain into the kernel, applies what its config source (a
/// watched file, or a control plane over ADS) offers, and follows it and the DNS names it uses
/// until stopped. Every change goes through one queue, so updates never interleave. A refused
/// update is reported resource by resource and the last good configuration keeps serving.
/// </summary>
public sealed partial class MeshDaemon : IAsyncDisposable, IConfigSink
{
    private readonly DaemonOptions _options;
    private readonly ILogger _log;
    private readonly ChainDatapath _datapath;
    private readonly IConfigSource _source;
    private readonly DnsCache _dns = new();
    private readonly MeshUpdater _updater;
    private readonly Channel<Work> _updates = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private EnvoyResources _resources;
    private string _version;
    private bool _ready;
    private Task _sourceTask = Task.CompletedTask;

    /// <summary>One item of the update queue: a DNS refresh, a plugin reload, or a source's offer awaiting its verdict.</summary>
    private sealed record Work(ConfigUpdate? Offer, TaskCompletionSource<ConfigVerdict>? Reply, bool ReloadPlugins = false, bool ReportCounters = false);

    private MeshDaemon(DaemonOptions options, ILogger log, ChainDatapath datapath, IConfigSource source)
    {
        _options = options;
        _log = log;
        _datapath = datapath;
        _source = source;
        _resources = new EnvoyResources([], [], [], [], null);
        _version = "";
        _updater = new MeshUpdater(datapath, _dns, log);
    }

    /// <summary>The datapath, for status and counters.</summary>
    public ChainDatapath Datapath => _datapath;

    /// <summary>
    /// Starts the daemon and applies the first configuration. A config file or plugin selection
    /// that is wrong fails here, before anything touches the kernel. With ADS the first
    /// configuration arrives later; the daemon says <c>ready</c> once it is in force.
    /// </summary>
    public static async Task<MeshDaemon> StartAsync(DaemonOptions options, ILogger log, CancellationToken cancellationToken)
    {
        var catalog = PluginCatalog.Discover(options.PluginDirectories);
        foreach (var problem in catalog.Problems)
            LogCatalogProblem(log, problem);
        var chosen = ChoosePlugins(options, catalog);
        IConfigSource source = options.Xds is { } xds
            ? new AdsConfigSource(xds, log)
            : new FileConfigSource(options.ConfigPath ?? throw new ArgumentException("a config file or an xDS server is needed", nameof(options)), log);
        var initial = source.Initial;
        if (initial is not null)
            ReportConfigWarnings(log, initial.Resources);

        ChainDatapath datapath;
        try
        {
            datapath = ChainDatapath.Start(new DatapathOptions
            {
                CgroupPath = options.CgroupPath,
                PinFolder = options.PinFolder,
                FailClosed = options.FailClosed,
                MapCapacities = options.MapCapacities,
                PluginArguments = options.PluginArguments,
            }, chosen, log);
        }
        catch
        {
            await source.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var daemon = new MeshDaemon(options, log, datapath, source);
        try
        {
            if (initial is not null)
            {
                daemon._resources = initial.Resources;
                daemon._version = initial.Version;
                await daemon.RefreshDnsAsync(initial.Resources, cancellationToken).ConfigureAwait(false);
                daemon._updater.Apply(initial.Resources, initial.Version);
                daemon.SayReady();
            }
            else
            {
                LogWaiting(log, source.Description);
            }
            daemon._sourceTask = Task.Run(daemon.FollowSourceAsync, CancellationToken.None);
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Follows config and DNS changes until <paramref name="cancellationToken"/> fires.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var dnsTimer = new PeriodicTimer(SnapshotBuilder.DnsRefreshInterval(_resources));
        var ticker = TickDnsAsync(dnsTimer, cancellationToken);
        var counters = TickCountersAsync(cancellationToken);
        try
        {
            await foreach (var work in _updates.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                await HandleAsync(work, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await ticker.ConfigureAwait(false);
        await counters.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ConfigVerdict> OfferAsync(ConfigUpdate update, CancellationToken cancellationToken)
    {
        var reply = new TaskCompletionSource<ConfigVerdict>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_updates.Writer.TryWrite(new Work(update, reply)))
            throw new OperationCanceledException("the daemon is stopping");
        using var registration = cancellationToken.Register(() => reply.TrySetCanceled(cancellationToken));
        return await reply.Task.ConfigureAwait(false);
    }

    /// <summary>Runs the source; a failure of the source itself is reported, and the last config keeps serving.</summary>
    private async Task FollowSourceAsync()
    {
        try
        {
            await _source.RunAsync(this, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (!_stop.IsCancellationRequested && e is not OutOfMemoryException)
        {
            LogSourceFailed(_log, _source.Description, e.ToString());
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task TickDnsAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (SnapshotBuilder.DnsNames(_resources).Any())
                    _updates.Writer.TryWrite(new Work(null, null));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task HandleAsync(Work work, CancellationToken cancellationToken)
    {
        if (work.ReloadPlugins)
        {
            ReloadPlugins();
            return;
        }
        if (work.ReportCounters)
        {
            ReportPluginCounters(onlyChanged: true);
            return;
        }
        if (work.Offer is not { } update)
        {
            if (await RefreshDnsAsync(_resources, cancellationToken).ConfigureAwait(false))
                _updater.Apply(_resources, _version);
            return;
        }
        try
        {
            work.Reply?.TrySetResult(await ApplyAsync(update, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            work.Reply?.TrySetException(e);
            throw;
        }
    }

    /// <summary>Translates the update; refuses it whole if a scrutinized resource has an error, else writes it.</summary>
    private async Task<ConfigVerdict> ApplyAsync(ConfigUpdate update, CancellationToken cancellationToken)
    {
        ReportConfigWarnings(_log, update.Resources);
        await RefreshDnsAsync(update.Resources, cancellationToken).ConfigureAwait(false);
        var prepared = _updater.Prepare(update.Resources, update.Version);
        if (update.Scrutinized is { } scrutinized)
        {
            var rejections = prepared.Diagnostics
                .Where(d => d.Severity == DiagnosticSeverity.Error && scrutinized.Contains(d.Resource))
                .Select(d => new ResourceRejection(d.Resource, d.Field, d.Message))
                .ToList();
            // A plugin whose maps cannot hold the update would leave the kernel half-updated: refuse it whole.
            foreach (var (plugin, problem) in _updater.Check(prepared))
                rejections.Add(new ResourceRejection($"plugin {plugin}", "", problem));
            if (rejections.Count > 0)
            {
                foreach (var rejection in rejections)
                    LogConfigRejected(_log, rejection.ToString(), _version.Length == 0 ? "none" : _version);
                return ConfigVerdict.Reject(rejections);
            }
        }
        _updater.Commit(prepared);
        _resources = update.Resources;
        _version = update.Version;
        if (update.Warm && !_ready)
            SayReady();
        return ConfigVerdict.Accept;
    }

    private void SayReady()
    {
        _ready = true;
        var plugins = string.Join(", ", _datapath.Statuses.Where(s => s.Active).Select(s => $"{s.Name} {s.Version}"));
        LogReady(_log, _resources.Listeners.Count, _resources.Clusters.Count, plugins.Length == 0 ? "none" : plugins);
    }

    private async Task<bool> RefreshDnsAsync(EnvoyResources resources, CancellationToken cancellationToken)
    {
        var names = SnapshotBuilder.DnsNames(resources).ToList();
        if (names.Count == 0)
            return false;
        var (changed, failures) = await _dns.RefreshAsync(names, cancellationToken).ConfigureAwait(false);
        foreach (var failure in failures)
            LogDnsFailure(_log, failure);
        return changed;
    }

    /// <summary>Parts of the config that are not understood (unknown extension types) are said once per load.</summary>
    private static void ReportConfigWarnings(ILogger log, EnvoyResources resources)
    {
        foreach (var warning in resources.Warnings)
            LogConfigWarning(log, warning.ToString());
    }

    /// <summary>Stops following changes, detaches from the cgroup and removes the pins.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _updates.Writer.TryComplete();
        while (_updates.Reader.TryRead(out var pending))
            pending.Reply?.TrySetCanceled();
        try
        {
            await _sourceTask.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }
        await _source.DisposeAsync().ConfigureAwait(false);
        _datapath.Dispose();
        _stop.Dispose();
        LogStopped(_log, _options.CgroupPath);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "ready: {Listeners} listeners, {Clusters} clusters, chain: {Plugins}")]
    private static partial void LogReady(ILogger logger, int listeners, int clusters, string plugins);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Config rejected, still serving version {Version}: {Reason}")]
    private static partial void LogConfigRejected(ILogger logger, string reason, string version);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Plugin catalog: {Problem}")]
    private static partial void LogCatalogProblem(ILogger logger, string problem);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "DNS: {Failure}; keeping the last addresses")]
    private static partial void LogDnsFailure(ILogger logger, string failure);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Config: {Warning}")]
    private static partial void LogConfigWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Stopped: detached from {Cgroup}, pins removed")]
    private static partial void LogStopped(ILogger logger, string cgroup);

    [LoggerMessage(EventId = 8, Level = LogLevel.Critical, Message = "Config source {Source} failed and stopped; the last applied config keeps serving: {Error}")]
    private static partial void LogSourceFailed(ILogger logger, string source, string error);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Kernel chain attached, every connect passes through until the first config from {Source} is in force")]
    private static partial void LogWaiting(ILogger logger, string source);
}
