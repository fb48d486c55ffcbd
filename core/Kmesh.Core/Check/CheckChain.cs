using Kmesh.Core.Plugins;
using McMaster.NETCore.Plugins;

namespace Kmesh.Core.Check;

/// <summary>
/// The chain a check runs, chosen as <c>kmesh run</c> chooses it (<see cref="PluginChain"/>)
/// but loading only each plugin's translator: no eBPF object is opened, nothing touches the
/// kernel, so a check needs no root.
/// </summary>
public sealed class CheckChain : IDisposable
{
    private readonly List<PluginLoader> _loaders;

    private CheckChain(IReadOnlyList<CheckPlugin> plugins, List<PluginLoader> loaders, IReadOnlyList<string> problems)
    {
        Plugins = plugins;
        _loaders = loaders;
        Problems = problems;
    }

    /// <summary>The chain, in order.</summary>
    public IReadOnlyList<CheckPlugin> Plugins { get; }

    /// <summary>Plugin folders that were found broken and skipped, as the daemon would report them.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>
    /// Discovers the plugins and loads the translators of the chosen chain. Throws
    /// <see cref="PluginSelectionException"/> when the chain cannot be chosen and
    /// <see cref="PluginLoadException"/> when a translator cannot be loaded.
    /// </summary>
    public static CheckChain Load(IReadOnlyList<string> pluginDirectories, IReadOnlyList<string> names, string? pluginSetPath)
    {
        var catalog = PluginCatalog.Discover(pluginDirectories);
        var chosen = PluginChain.Choose(catalog, names, pluginSetPath);
        var plugins = new List<CheckPlugin>();
        var loaders = new List<PluginLoader>();
        try
        {
            foreach (var candidate in chosen)
            {
                var (translator, loader) = TranslatorLoader.Load(candidate);
                loaders.Add(loader);
                plugins.Add(new CheckPlugin(candidate.Manifest.Name, candidate.Manifest.Version, translator));
            }
        }
        catch
        {
            loaders.ForEach(l => l.Dispose());
            throw;
        }
        return new CheckChain(plugins, loaders, catalog.Problems);
    }

    /// <inheritdoc />
    public void Dispose() => _loaders.ForEach(l => l.Dispose());
}
