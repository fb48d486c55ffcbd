using Kmesh.Core.Datapath;
using Kmesh.Core.Mesh;
using Kmesh.Core.Reconcile;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using Kmesh.Xds;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

/// <summary>
/// One configuration change, all the way into the kernel: snapshot, every plugin's
/// translation, reconcile. A translator that throws is isolated: its maps keep their last
/// good contents and the other plugins still apply.
/// </summary>
/// <param name="datapath">The kernel datapath written to.</param>
/// <param name="dns">Resolved names of DNS clusters.</param>
/// <param name="log">Where findings and outcomes go.</param>
/// <param name="ids">The ids to start from (restored after an adoption); null: fresh ones.</param>
/// <param name="beforeWrite">Called with the ids before an update is written (to save them first: a successor must find every id the maps hold).</param>
public sealed partial class MeshUpdater(IDatapath datapath, DnsCache dns, ILogger log, StableMeshIds? ids = null, Action<StableMeshIds>? beforeWrite = null)
{
    private readonly MapReconciler _reconciler = new();
    private readonly StableMeshIds _ids = ids ?? new();
    private readonly MemoryRelief _memory = new();
    private int _lastTranslated;
    private HashSet<string> _reported = new(StringComparer.Ordinal);

    /// <summary>The ids the kernel reports services and clusters by, with their names.</summary>
    public StableMeshIds Ids => _ids;

    /// <summary>What the reconciler last wrote, by plugin and map.</summary>
    public AppliedMaps Applied => _reconciler.Applied;

    /// <summary>Forgets what was written to maps that were just recreated empty (a plugin upgrade changed their layout).</summary>
    public void ForgetMaps(string plugin, IEnumerable<string> maps)
    {
        _findings.Remove(plugin);
        foreach (var map in maps)
            _reconciler.Applied.Forget(plugin, map);
    }

    /// <summary>Applies <paramref name="resources"/>; returns the outcome.</summary>
    public ReconcileResult Apply(EnvoyResources resources, string version) => Commit(Prepare(resources, version));

    /// <summary>
    /// Builds the snapshot and runs every translator, touching nothing: a source that must
    /// answer for the update (ADS) looks at the findings before deciding to <see cref="Commit"/>.
    /// </summary>
    /// <remarks>
    /// When the previous update was committed whole, only what changed since is translated: the
    /// change set (<see cref="MeshDiff"/>) goes to every <see cref="IIncrementalTranslator"/> whose
    /// previous translation is what its maps hold; the others, and those that decline, translate
    /// the whole snapshot. Either way the result is the same (a property test holds both paths to it).
    /// </remarks>
    public PreparedUpdate Prepare(EnvoyResources resources, string version)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var diagnostics = new List<TranslationDiagnostic>();
        var snapshot = SnapshotBuilder.Build(resources, version, dns, _ids, diagnostics, Incremental ? _committed : null);
        // Translators keep what they made last; one whose last translation was not committed (refused, or
        // not applied whole) cannot build on it, so after such an update every plugin starts over.
        var changes = Incremental && _committed is { } committed && _preparedSinceCommit == 0
            ? MeshDiff.Compute(committed, snapshot)
            : null;
        // Derived, the snapshot replaced what changed; built anew, it may still share most objects (a re-read file).
        int? replaced = changes is null ? null : SnapshotBuilder.IsDerived(snapshot) ? changes.Count : MeshDiff.Replaced(_committed!, snapshot);
        _preparedSinceCommit++;
        var desired = new List<PluginDesiredMaps>();
        var translationErrors = new Dictionary<string, string>(StringComparer.Ordinal);
        var findings = new Dictionary<string, PluginFindings>(StringComparer.Ordinal);
        int incremental = 0;
        // Readers of the chain's work (routing) go last: they fold in what the others declared.
        var chain = datapath.Translators;
        var work = new Dictionary<string, IReadOnlySet<uint>>(StringComparer.Ordinal);
        var clusterWork = new Dictionary<string, IReadOnlySet<uint>>(StringComparer.Ordinal);
        ChainWork? chainWork = null;
        foreach (var plugin in chain.Where(p => p.Translator is not IChainWorkReader).Concat(chain.Where(p => p.Translator is IChainWorkReader)))
        {
            var reader = plugin.Translator is IChainWorkReader;
            if (reader)
                chainWork ??= ChainWorkFolding.Fold(chain, work, clusterWork);
            try
            {
                // A reader's entries carry the chain's work: when that changed, they all may have.
                if (changes is not null && plugin.Translator is IIncrementalTranslator partial
                    && _findings.TryGetValue(plugin.Name, out var previous) && ReferenceEquals(previous.Translator, plugin.Translator)
                    && (!reader || chainWork!.Equals(_committedChainWork)))
                {
                    var delta = new TranslationDelta();
                    if (partial.TranslateChanges(snapshot, changes, delta))
                    {
                        var merged = previous.With(delta);
                        findings[plugin.Name] = merged;
                        diagnostics.AddRange(merged.Diagnostics);
                        desired.Add(PluginDesiredMaps.Incremental(plugin.Name, delta.Maps));
                        if (_committedWork.TryGetValue(plugin.Name, out var kept))
                            work[plugin.Name] = kept;
                        if (_committedClusterWork.TryGetValue(plugin.Name, out var keptClusters))
                            clusterWork[plugin.Name] = keptClusters;
                        incremental++;
                        continue;
                    }
                }
                var output = new TranslationOutput { ChainWork = reader ? chainWork! : ChainWork.None };
                plugin.Translator.Translate(snapshot, output);
                findings[plugin.Name] = new PluginFindings(plugin.Translator, output.Diagnostics, output.Facts);
                diagnostics.AddRange(output.Diagnostics);
                desired.Add(new PluginDesiredMaps(plugin.Name, output.Maps));
                if (output.DeclaredConnectWork is { } declared)
                {
                    work[plugin.Name] = declared.Services;
                    clusterWork[plugin.Name] = declared.Clusters;
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                translationErrors[plugin.Name] = $"translator threw {e.GetType().Name}: {e.Message}";
            }
        }
        // Written in chain order, as before readers went last.
        var order = chain.Select((p, i) => (p.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        desired.Sort((a, b) => order.GetValueOrDefault(a.Plugin).CompareTo(order.GetValueOrDefault(b.Plugin)));
        return new PreparedUpdate(snapshot, desired, diagnostics, translationErrors)
        {
            TranslationTime = System.Diagnostics.Stopwatch.GetElapsedTime(started),
            Facts = new PluginFactList(findings),
            Changes = changes,
            ReplacedResources = replaced,
            IncrementalPlugins = incremental,
            Findings = findings,
            ConnectWork = work,
            ConnectClusterWork = clusterWork,
            ChainWork = chainWork,
        };
    }

    /// <summary>
    /// Translate only what changed when the previous update was committed whole (default true;
    /// false: every update is a full translation, the reference the incremental path is held to).
    /// </summary>
    public bool Incremental { get; init; } = true;

    /// <summary>
    /// Every plugin whose maps cannot hold a prepared update (too small, layout drift). Nothing
    /// is written. A translator that threw is not listed: that is a plugin bug, isolated by
    /// freezing the plugin, not a reason to refuse the configuration.
    /// </summary>
    public IReadOnlyDictionary<string, string> Check(PreparedUpdate update) => _reconciler.Check(update.Desired, datapath.PluginMap);

    /// <summary>Writes a prepared update into the kernel; returns the outcome.</summary>
    public ReconcileResult Commit(PreparedUpdate update)
    {
        var (snapshot, desired, diagnostics, translationErrors) = update;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        ReportNewDiagnostics(diagnostics);

        beforeWrite?.Invoke(_ids);
        SeedFromAdoptedMaps(desired);
        var writeStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = _reconciler.Apply(desired, datapath.PluginMap);
        var written = System.Diagnostics.Stopwatch.GetElapsedTime(writeStarted);
        foreach (var (plugin, error) in translationErrors.Concat(result.PluginErrors))
            LogPluginUpdateFailed(log, plugin, error);
        // What the next update builds on: this snapshot, and each plugin's findings where its maps now hold its translation.
        _committed = snapshot;
        _preparedSinceCommit = 0;
        _findings.Clear();
        foreach (var (plugin, pluginFindings) in update.Findings)
        {
            if (!translationErrors.ContainsKey(plugin) && !result.PluginErrors.ContainsKey(plugin))
                _findings[plugin] = pluginFindings;
        }
        _committedWork.Clear();
        foreach (var (plugin, services) in update.ConnectWork)
        {
            if (_findings.ContainsKey(plugin))
                _committedWork[plugin] = services;
        }
        _committedClusterWork.Clear();
        foreach (var (plugin, clusters) in update.ConnectClusterWork)
        {
            if (_findings.ContainsKey(plugin))
                _committedClusterWork[plugin] = clusters;
        }
        // What the readers' maps now hold (a reader that failed keeps the masks of the work before).
        if (update.ChainWork is { } folded && datapath.Translators.Any(t => t.Translator is IChainWorkReader && _findings.ContainsKey(t.Name)))
            _committedChainWork = folded;
        // What this update built anew or let go, roughly (MemoryRelief): the resources it replaced or
        // dropped, and the whole configuration when a plugin translated all of it. A one-endpoint
        // change at 10 000 services is not large, though the configuration it changed is; a push of
        // 10 000 new objects is, and so is a huge configuration reverted (it dropped them).
        var whole = snapshot.Listeners.Count + snapshot.Clusters.Count + snapshot.Endpoints.Count + snapshot.Routes.Count;
        _lastTranslated = update.ReplacedResources is { } replaced
            ? Math.Max(replaced, update.IncrementalPlugins == desired.Count ? 0 : whole)
            : whole;
        if (update.Changes is { } changes)
            LogAppliedChanges(log, snapshot.Version, snapshot.Listeners.Count, snapshot.Clusters.Count, changes.ToString(), update.IncrementalPlugins, desired.Count, result.Upserts, result.Deletes, Milliseconds(update.TranslationTime), Milliseconds(written));
        else
            LogApplied(log, snapshot.Version, snapshot.Listeners.Count, snapshot.Clusters.Count, result.Upserts, result.Deletes, Milliseconds(update.TranslationTime), Milliseconds(written));
        var errors = new Dictionary<string, string>(result.PluginErrors, StringComparer.Ordinal);
        foreach (var (plugin, error) in translationErrors)
            errors[plugin] = error;
        return result with { PluginErrors = errors, Duration = System.Diagnostics.Stopwatch.GetElapsedTime(started) };
    }

    /// <summary>
    /// Gives the node back what the previous configuration cost, when the update built anew or let go much (see <see cref="MemoryRelief"/>).
    /// Call once the caller dropped its own references to the previous configuration, or they stay alive.
    /// </summary>
    public void RelieveMemory() => _memory.AfterUpdate(_lastTranslated);

    /// <summary>Resources the last committed update built anew or let go: those its snapshot replaced or dropped, or all of them when a plugin translated the whole snapshot (or there was no change set).</summary>
    internal int LastTranslated => _lastTranslated;

    /// <summary>
    /// After adoption the maps hold the previous daemon's config, which this one never wrote:
    /// the first time a map is written, what it holds becomes the reconciler's starting point, so
    /// the first apply is a diff - unchanged entries are not rewritten, entries no longer desired
    /// are removed. Only maps a translator declares are read: runtime maps (buckets, counts) are
    /// the kernel's and never diffed.
    /// </summary>
    private void SeedFromAdoptedMaps(IReadOnlyList<PluginDesiredMaps> desired)
    {
        if (!datapath.Adopted)
            return;
        foreach (var plugin in desired)
        {
            foreach (var map in plugin.Maps)
            {
                if (!_seeded.Add((plugin.Plugin, map.Name)) || datapath.PluginMap(plugin.Plugin, map.Name) is not { } kernel)
                    continue;
                foreach (var (key, value) in kernel.ReadEntries())
                    _reconciler.Applied.Record(plugin.Plugin, map.Name, new MapOp(MapOpKind.Upsert, new Kmesh.Sdk.Translation.MapKey(key), value));
            }
        }
    }

    private readonly HashSet<(string Plugin, string Map)> _seeded = [];
    // The snapshot of the last committed update, and how many were prepared since (a refused one breaks the chain).
    private MeshSnapshot? _committed;
    private int _preparedSinceCommit;
    // Per plugin: the findings and facts of the translation its maps hold, and the translator that made it.
    private readonly Dictionary<string, PluginFindings> _findings = new(StringComparer.Ordinal);
    // Per plugin: the services it declared connect work for, in the translation its maps hold; and
    // the chain's work the readers' maps were last written with.
    private readonly Dictionary<string, IReadOnlySet<uint>> _committedWork = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlySet<uint>> _committedClusterWork = new(StringComparer.Ordinal);
    private ChainWork? _committedChainWork;

    /// <summary>Findings are logged once, when they first appear, not at every refresh.</summary>
    private void ReportNewDiagnostics(IReadOnlyList<TranslationDiagnostic> diagnostics)
    {
        var now = new HashSet<string>(StringComparer.Ordinal);
        foreach (var diagnostic in diagnostics)
        {
            var text = diagnostic.ToString();
            if (!now.Add(text) || _reported.Contains(text))
                continue;
            var level = diagnostic.Severity switch
            {
                DiagnosticSeverity.Error => LogLevel.Error,
                DiagnosticSeverity.Warning => LogLevel.Warning,
                _ => LogLevel.Information,
            };
            LogDiagnostic(log, level, diagnostic.Resource, diagnostic.Field, diagnostic.Message);
        }
        _reported = now;
    }

    [LoggerMessage(EventId = 200, Message = "{Resource}: {Field}: {Message}")]
    private static partial void LogDiagnostic(ILogger logger, LogLevel level, ResourceRef resource, string field, string message);

    [LoggerMessage(EventId = 201, Level = LogLevel.Error, Message = "Plugin {Plugin} kept its previous state: {Reason}")]
    private static partial void LogPluginUpdateFailed(ILogger logger, string plugin, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Information, Message = "Applied config {Version}: {Listeners} listeners, {Clusters} clusters; changed {Changes}; {Incremental} of {Plugins} plugins translated only that; {Upserts} entries written, {Deletes} removed (translated in {TranslationMs} ms, written in {WriteMs} ms)")]
    private static partial void LogAppliedChanges(ILogger logger, string version, int listeners, int clusters, string changes, int incremental, int plugins, int upserts, int deletes, string translationMs, string writeMs);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Applied config {Version}: {Listeners} listeners, {Clusters} clusters; {Upserts} entries written, {Deletes} removed (translated in {TranslationMs} ms, written in {WriteMs} ms)")]
    private static partial void LogApplied(ILogger logger, string version, int listeners, int clusters, int upserts, int deletes, string translationMs, string writeMs);

    private static string Milliseconds(TimeSpan time) => time.TotalMilliseconds.ToString(time.TotalMilliseconds < 10 ? "0.0" : "0", System.Globalization.CultureInfo.InvariantCulture);
}
