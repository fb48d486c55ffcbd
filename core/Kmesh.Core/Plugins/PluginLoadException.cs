namespace Kmesh.Core.Plugins;

/// <summary>One plugin could not be loaded; it is left out of the chain and the rest goes on.</summary>
public sealed class PluginLoadException(PluginCandidate plugin, string message, Exception? inner = null)
    : Exception($"plugin {plugin}: {message}", inner)
{
    /// <summary>The plugin that failed.</summary>
    public PluginCandidate Plugin { get; } = plugin;
}
