using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

public sealed partial class MeshDaemon
{
    private readonly Dictionary<string, string> _lastCounters = new(StringComparer.Ordinal);

    /// <summary>
    /// Logs the counters plugins declare in their manifests (e.g. what acceleration redirected):
    /// all of them, or only those of plugins whose counters moved since the last report. Call it
    /// on the daemon's loop or after <see cref="RunAsync"/> returned: plugins may be replaced meanwhile.
    /// </summary>
    public void ReportPluginCounters(bool onlyChanged = false)
    {
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

    /// <summary>Asks the loop for a counters report every <see cref="DaemonOptions.CountersInterval"/>.</summary>
    private async Task TickCountersAsync(CancellationToken cancellationToken)
    {
        if (_options.CountersInterval <= TimeSpan.Zero)
            return;
        using var timer = new PeriodicTimer(_options.CountersInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                _updates.Writer.TryWrite(new Work(null, null, ReportCounters: true));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Plugin {Plugin} counters: {Counters}")]
    private static partial void LogPluginCounters(ILogger logger, string plugin, string counters);
}
