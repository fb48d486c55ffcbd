using Kmesh.Core.Datapath;
using Kmesh.Core.Plugins;
using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

/// <summary>The real datapath: the plugins the options choose, loaded into the kernel and attached to the cgroup.</summary>
public sealed partial class ChainDatapathFactory(DaemonOptions options, ILoggerFactory loggers) : IDatapathFactory
{
    private readonly ILogger _log = loggers.CreateLogger("kmesh");

    /// <inheritdoc />
    public IDatapath Start()
    {
        var catalog = PluginCatalog.Discover(options.PluginDirectories);
        foreach (var problem in catalog.Problems)
            LogCatalogProblem(_log, problem);
        var chosen = ChoosePlugins(options, catalog);
        return ChainDatapath.Start(new DatapathOptions
        {
            CgroupPath = options.CgroupPath,
            PinFolder = options.PinFolder,
            FailClosed = options.FailClosed,
            KeepOnExit = options.KeepOnExit,
            MapCapacities = options.MapCapacities,
            PluginArguments = options.PluginArguments,
            AccessLog = options.AccessLogPath is not null,
            TrafficCounters = options.TrafficCounters,
        }, chosen, _log);
    }

    /// <summary>The chain the options ask for, from what <paramref name="catalog"/> offers.</summary>
    public static IReadOnlyList<PluginCandidate> ChoosePlugins(DaemonOptions options, PluginCatalog catalog) =>
        PluginChain.Choose(catalog, options.Plugins, options.PluginSetPath);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Plugin catalog: {Problem}")]
    private static partial void LogCatalogProblem(ILogger logger, string problem);
}
