using Kmesh.Sdk.Manifest;

namespace Kmesh.Core.Plugins;

/// <summary>
/// Finds plugins: every folder (directly, or one level down) of the plugin directories that
/// holds a <c>kmesh-plugin.json</c>. A folder whose manifest is broken is reported, not fatal.
/// </summary>
public sealed class PluginCatalog
{
    private PluginCatalog(IReadOnlyList<PluginCandidate> plugins, IReadOnlyList<string> problems)
    {
        Plugins = plugins;
        Problems = problems;
    }

    /// <summary>The plugins found, in default chain order (manifest order, then name).</summary>
    public IReadOnlyList<PluginCandidate> Plugins { get; }

    /// <summary>Folders that looked like plugins but could not be read, with the reason.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Scans the directories.</summary>
    public static PluginCatalog Discover(IEnumerable<string> directories)
    {
        var found = new Dictionary<string, PluginCandidate>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var directory in directories)
        {
            if (!Directory.Exists(directory))
            {
                problems.Add($"plugin directory {directory} does not exist");
                continue;
            }
            var manifests = Directory.EnumerateFiles(directory, PluginManifest.FileName, new EnumerationOptions { MaxRecursionDepth = 1, RecurseSubdirectories = true });
            foreach (var path in manifests.Order(StringComparer.Ordinal))
            {
                try
                {
                    var candidate = new PluginCandidate(PluginManifest.Load(path), Path.GetDirectoryName(path)!);
                    if (found.TryGetValue(candidate.Manifest.Name, out var earlier))
                        problems.Add($"plugin {candidate.Manifest.Name} in {candidate.Folder} is ignored: the same name was found first in {earlier.Folder}");
                    else
                        found.Add(candidate.Manifest.Name, candidate);
                }
                catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
                {
                    problems.Add(e.Message);
                }
            }
        }
        var ordered = found.Values.OrderBy(p => p.Manifest.Order).ThenBy(p => p.Manifest.Name, StringComparer.Ordinal).ToList();
        return new PluginCatalog(ordered, problems);
    }

    /// <summary>
    /// The chain the operator asked for: the named plugins in the given order, or, when
    /// <paramref name="names"/> is empty, every plugin found in default order.
    /// </summary>
    public IReadOnlyList<PluginCandidate> Select(IReadOnlyList<string> names)
    {
        if (names.Count == 0)
            return Plugins;
        var chosen = new List<PluginCandidate>();
        foreach (var name in names)
        {
            var plugin = Plugins.FirstOrDefault(p => p.Manifest.Name == name)
                ?? throw new PluginSelectionException($"plugin '{name}' was asked for but not found; found: {string.Join(", ", Plugins.Select(p => p.Manifest.Name))}");
            if (chosen.Contains(plugin))
                throw new PluginSelectionException($"plugin '{name}' is named twice in --plugins");
            chosen.Add(plugin);
        }
        return chosen;
    }
}
