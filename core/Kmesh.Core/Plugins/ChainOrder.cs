namespace Kmesh.Core.Plugins;

/// <summary>
/// Checks a chosen chain against what the manifests say about order: a plugin's
/// <c>requires</c> must be in the chain before it, its <c>after</c> must come before it when
/// present. A chain that cannot work is refused at start, with every violation named,
/// rather than run and route nothing.
/// </summary>
public static class ChainOrder
{
    /// <summary>Throws <see cref="PluginSelectionException"/> when the order cannot work.</summary>
    public static void Validate(IReadOnlyList<PluginCandidate> chain)
    {
        var position = chain.Select((p, i) => (p.Manifest.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var problems = new List<string>();
        for (var i = 0; i < chain.Count; i++)
        {
            var manifest = chain[i].Manifest;
            foreach (var required in manifest.Requires)
            {
                if (!position.TryGetValue(required, out var at))
                    problems.Add($"{manifest.Name} requires {required} earlier in the chain, but {required} is not in it");
                else if (at > i)
                    problems.Add($"{manifest.Name} requires {required} earlier in the chain, but {required} comes after it");
            }
            foreach (var earlier in manifest.After)
            {
                if (position.TryGetValue(earlier, out var at) && at > i)
                    problems.Add($"{manifest.Name} must run after {earlier}, but {earlier} comes after it");
            }
        }
        if (problems.Count > 0)
            throw new PluginSelectionException($"the chain {string.Join(" -> ", chain.Select(p => p.Manifest.Name))} cannot work: {string.Join("; ", problems)}");
    }
}
