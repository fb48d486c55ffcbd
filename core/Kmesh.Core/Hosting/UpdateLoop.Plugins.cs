using Kmesh.Core.Datapath;
using Kmesh.Core.Plugins;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

public sealed partial class UpdateLoop
{
    /// <summary>
    /// Asks the loop to look at the plugin directories again and replace every plugin whose
    /// files changed (SIGHUP, <c>kmesh plugins reload</c>). Runs in the queue, so it never
    /// interleaves with a config update.
    /// </summary>
    public void RequestPluginReload() => Post(new WorkItem.ReloadPlugins());

    /// <summary>
    /// Replaces, one at a time, each active plugin whose version or files changed: the new
    /// version is loaded and verified beside the old one, its maps are filled from the config
    /// in force, and only then do its slots swap. A version that cannot load or cannot take
    /// the config is dropped and the old one serves on.
    /// </summary>
    private void ReloadPlugins()
    {
        if (Datapath.SwitchPending)
        {
            LogReloadRefused(_log, "this daemon's chain waits to be switched in (the adopted one serves until the first configuration is in its new maps); reload after that");
            return;
        }
        IReadOnlyList<PluginCandidate> offered;
        try
        {
            offered = ChainDatapathFactory.ChoosePlugins(_options, PluginCatalog.Discover(_options.PluginDirectories));
        }
        catch (Exception e) when (e is PluginSelectionException or FormatException or IOException)
        {
            LogReloadRefused(_log, e.Message);
            return;
        }
        var replaced = 0;
        foreach (var active in Datapath.Plugins.ToList())
        {
            var candidate = offered.FirstOrDefault(c => c.Manifest.Name == active.Name);
            if (candidate is null)
            {
                LogReloadSkipped(_log, active.Name, "it is no longer offered; removing a plugin needs a restart");
                continue;
            }
            if (ActivePlugin.FingerprintOf(candidate) == active.Fingerprint)
                continue;
            if (Replace(active, candidate))
                replaced++;
        }
        LogReloaded(_log, replaced);
    }

    private bool Replace(IChainMember active, PluginCandidate candidate)
    {
        PluginReplacement replacement;
        try
        {
            replacement = Datapath.StageReplacement(candidate);
        }
        catch (PluginLoadException e)
        {
            LogReloadSkipped(_log, active.Name, e.Message);
            return false;
        }
        Updater.ForgetMaps(active.Name, replacement.Recreated);
        var result = Updater.Apply(_resources, _version);
        if (result.PluginErrors.TryGetValue(active.Name, out var error))
        {
            Datapath.AbandonReplacement();
            // The old version's maps hold what they held; let the reconciler rewrite them in full.
            Updater.ForgetMaps(active.Name, replacement.Recreated);
            Publish(Updater.Apply(_resources, _version).PluginErrors);
            LogReloadSkipped(_log, active.Name, $"version {candidate.Manifest.Version} could not take the config in force: {error}");
            return false;
        }
        Datapath.CommitReplacement();
        Publish(result.PluginErrors);
        return true;
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "Plugin reload refused, the chain is unchanged: {Reason}")]
    private static partial void LogReloadRefused(ILogger logger, string reason);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Plugin {Name} not replaced: {Reason}")]
    private static partial void LogReloadSkipped(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Plugin reload done: {Count} replaced")]
    private static partial void LogReloaded(ILogger logger, int count);
}
