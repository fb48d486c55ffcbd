namespace Kmesh.Core.Plugins;

/// <summary>
/// The chain an operator asked for, the same way for every command that takes the plugin
/// flags (<c>kmesh run</c>, <c>kmesh config check</c>): a plugin set when one is given, else the
/// named plugins in order, else every plugin found; checked against the manifests' order rules.
/// </summary>
public static class PluginChain
{
    /// <summary>The chain, or a <see cref="PluginSelectionException"/> naming every problem.</summary>
    public static IReadOnlyList<PluginCandidate> Choose(PluginCatalog catalog, IReadOnlyList<string> names, string? pluginSetPath)
    {
        var chain = pluginSetPath is not null
            ? PluginSetResolver.Resolve(PluginSet.Load(pluginSetPath), catalog)
            : catalog.Select(names);
        ChainOrder.Validate(chain);
        return chain;
    }
}
