using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Kmesh.Core.Datapath;
using Kmesh.Core.Mesh;
using Kmesh.Core.Plugins;
using Kmesh.Xds;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

/// <summary>
/// The node daemon: loads the plugin chain into the kernel, applies the config file, and
/// follows it (and the DNS names it uses) until stopped. Every change goes through one
/// queue, so updates never interleave. A bad edit is reported with file, line and field,
/// and the last good configuration keeps serving.
/// </summary>
public sealed partial class MeshDaemon : IAsyncDisposable
{
    private readonly DaemonOptions _options;
    private readonly ILogger _log;
    private readonly ChainDatapath _datapath;
    private readonly DnsCache _dns = new();
    private readonly MeshUpdater _updater;
    private readonly Channel<UpdateCause> _updates = Channel.CreateUnbounded<UpdateCause>(new UnboundedChannelOptions { SingleReader = true });
    private EnvoyResources _resources;
    private string _version;
    private ConfigFileWatcher? _watcher;

    private enum UpdateCause { ConfigChanged, DnsRefresh }

    private MeshDaemon(DaemonOptions options, ILogger log, ChainDatapath datapath, EnvoyResources resources, string version)
    {
        _options = options;
        _log = log;
        _datapath = datapath;
        _resources = resources;
        _version = version;
        _updater = new MeshUpdater(datapath, _dns, log);
    }

    /// <summary>The datapath, for status and counters.</summary>
    public ChainDatapath Datapath => _datapath;

    /// <summary>
    /// Starts the daemon and applies the first configuration. A config file or plugin
    /// selection that is wrong fails here, before anything touches the kernel.
    /// </summary>
    public static async Task<MeshDaemon> StartAsync(DaemonOptions options, ILogger log, CancellationToken cancellationToken)
    {
        var catalog = PluginCatalog.Discover(options.PluginDirectories);
        foreach (var problem in catalog.Problems)
            LogCatalogProblem(log, problem);
        var chosen = catalog.Select(options.Plugins);
        var (resources, version) = ReadConfig(options.ConfigPath);
        ReportConfigWarnings(log, resources);

        var datapath = ChainDatapath.Start(new DatapathOptions
        {
            CgroupPath = options.CgroupPath,
            PinFolder = options.PinFolder,
            FailClosed = options.FailClosed,
            MapCapacities = options.MapCapacities,
        }, chosen, log);
        var daemon = new MeshDaemon(options, log, datapath, resources, version);
        try
        {
            await daemon.RefreshDnsAsync(cancellationToken).ConfigureAwait(false);
            daemon._updater.Apply(resources, version);
            daemon._watcher = new ConfigFileWatcher(options.ConfigPath, _ => daemon._updates.Writer.TryWrite(UpdateCause.ConfigChanged));
            var plugins = string.Join(", ", datapath.Statuses.Where(s => s.Active).Select(s => $"{s.Name} {s.Version}"));
            LogReady(log, resources.Listeners.Count, resources.Clusters.Count, plugins.Length == 0 ? "none" : plugins);
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
        try
        {
            await foreach (var cause in _updates.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                await HandleAsync(cause, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        await ticker.ConfigureAwait(false);
    }

    private async Task TickDnsAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (SnapshotBuilder.DnsNames(_resources).Any())
                    _updates.Writer.TryWrite(UpdateCause.DnsRefresh);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task HandleAsync(UpdateCause cause, CancellationToken cancellationToken)
    {
        if (cause == UpdateCause.ConfigChanged)
        {
            try
            {
                (_resources, _version) = ReadConfig(_options.ConfigPath);
                ReportConfigWarnings(_log, _resources);
            }
            catch (Exception e) when (e is ConfigParseException or IOException)
            {
                LogConfigRejected(_log, e.Message, _version);
                return;
            }
            await RefreshDnsAsync(cancellationToken).ConfigureAwait(false);
            _updater.Apply(_resources, _version);
            return;
        }
        if (await RefreshDnsAsync(cancellationToken).ConfigureAwait(false))
            _updater.Apply(_resources, _version);
    }

    private async Task<bool> RefreshDnsAsync(CancellationToken cancellationToken)
    {
        var names = SnapshotBuilder.DnsNames(_resources).ToList();
        if (names.Count == 0)
            return false;
        var (changed, failures) = await _dns.RefreshAsync(names, cancellationToken).ConfigureAwait(false);
        foreach (var failure in failures)
            LogDnsFailure(_log, failure);
        return changed;
    }

    private static (EnvoyResources Resources, string Version) ReadConfig(string path)
    {
        var text = File.ReadAllText(path);
        var resources = EnvoyConfigFile.Parse(path, text);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12].ToLowerInvariant();
        var version = string.IsNullOrEmpty(resources.VersionInfo) ? hash : $"{resources.VersionInfo} ({hash})";
        return (resources, version);
    }

    /// <summary>Parts of the file that are not understood (unknown extension types) are said once per load.</summary>
    private static void ReportConfigWarnings(ILogger log, EnvoyResources resources)
    {
        foreach (var warning in resources.Warnings)
            LogConfigWarning(log, warning.ToString());
    }

    /// <summary>Stops following changes, detaches from the cgroup and removes the pins.</summary>
    public ValueTask DisposeAsync()
    {
        _watcher?.Dispose();
        _updates.Writer.TryComplete();
        _datapath.Dispose();
        LogStopped(_log, _options.CgroupPath);
        return ValueTask.CompletedTask;
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
}
