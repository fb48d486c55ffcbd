using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

public sealed partial class UpdateLoop
{
    private readonly Dictionary<string, string> _lastCounters = new(StringComparer.Ordinal);

    /// <summary>
    /// Logs the counters plugins declare in their manifests (e.g. what acceleration redirected):
    /// all of them, or only those of plugins whose counters moved since the last report. Runs
    /// on the loop (plugins may be replaced meanwhile) or once it stopped.
    /// </summary>
    public void ReportPluginCounters(bool onlyChanged = false)
    {
        if (!_datapathHost.Started)
            return;
        foreach (var plugin in Datapath.Plugins)
        {
            var counters = plugin.ReadCounters();
            if (counters.Count == 0)
                continue;
            var text = string.Join(", ", counters.Select(c => $"{c.Key}={c.Value}"));
            if (onlyChanged && _lastCounters.GetValueOrDefault(plugin.Name) == text)
                continue;
            _lastCounters[plugin.Name] = text;
            LogPluginCounters(_log, plugin.Name, text);
        }
    }

    /// <summary>Logs what the plugins counted and the connect decisions by reason: the daemon's last words at stop.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!_datapathHost.Started)
            return;
        ReportPluginCounters();
        var stats = Datapath.ReadStats();
        LogDecisions(_log, stats.Count == 0 ? "none" : string.Join(", ", stats.Select(s => $"{s.Key}={s.Value}")));
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Plugin {Plugin} counters: {Counters}")]
    private static partial void LogPluginCounters(ILogger logger, string plugin, string counters);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Connect decisions: {Stats}")]
    private static partial void LogDecisions(ILogger logger, string stats);
}
