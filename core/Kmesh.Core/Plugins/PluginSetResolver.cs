using System.Security.Cryptography;

namespace Kmesh.Core.Plugins;

/// <summary>
/// Holds a discovered catalog to a plugin set: every plugin named, of an accepted version,
/// byte-for-byte the files that were pinned, and found only inside the allowed directories.
/// Every problem is collected, so an operator fixes them in one go.
/// </summary>
public static class PluginSetResolver
{
    /// <summary>The chain the set describes, or an exception listing every problem.</summary>
    public static IReadOnlyList<PluginCandidate> Resolve(PluginSet set, PluginCatalog catalog)
    {
        var problems = new List<string>();
        var chosen = new List<PluginCandidate>();
        foreach (var entry in set.Plugins)
        {
            var where = $"{set.Path}:{entry.Line}: plugin {entry.Name}";
            var candidate = catalog.Plugins.FirstOrDefault(p => p.Manifest.Name == entry.Name);
            if (candidate is null)
            {
                problems.Add($"{where}: not found in the plugin directories (found: {string.Join(", ", catalog.Plugins.Select(p => p.ToString()))})");
                continue;
            }
            var before = problems.Count;
            if (set.AllowedDirectories.Count > 0 && !set.AllowedDirectories.Any(dir => IsInside(candidate.Folder, dir)))
                problems.Add($"{where}: {candidate.Folder} is outside the allowed directories ({string.Join(", ", set.AllowedDirectories)})");
            if (!SemanticVersion.TryParse(candidate.Manifest.Version, out var version) || !entry.Versions.Contains(version))
                problems.Add($"{where}: version {candidate.Manifest.Version} is not in the accepted range {entry.Versions}");
            CheckHash(where, "assembly", candidate.AssemblyPath, entry.AssemblySha256, problems);
            CheckHash(where, "object", candidate.ObjectPath, entry.ObjectSha256, problems);
            if (problems.Count == before)
                chosen.Add(candidate);
        }
        if (problems.Count > 0)
            throw new PluginSelectionException("the plugin set cannot be honoured:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
        return chosen;
    }

    /// <summary>The SHA-256 of a file, lower-case hex (what a plugin set pins).</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    private static void CheckHash(string where, string what, string path, string? expected, List<string> problems)
    {
        if (expected is null)
            return;
        if (!File.Exists(path))
        {
            problems.Add($"{where}: {what} {path} is missing");
            return;
        }
        var actual = Sha256(path);
        if (actual != expected)
            problems.Add($"{where}: the {what} {path} has SHA-256 {actual}, the set pins {expected}: it is not the file that was approved");
    }

    /// <summary>Inside after resolving links, so a symlink cannot smuggle a plugin in.</summary>
    private static bool IsInside(string folder, string allowed)
    {
        var real = RealPath(folder);
        var root = RealPath(allowed).TrimEnd('/') + "/";
        return (real.TrimEnd('/') + "/").StartsWith(root, StringComparison.Ordinal);
    }

    private static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var info = new DirectoryInfo(full);
        if (!info.Exists)
            return full;
        var target = info.ResolveLinkTarget(returnFinalTarget: true);
        var resolved = target?.FullName ?? full;
        var parent = Path.GetDirectoryName(resolved);
        return parent is null ? resolved : Path.Combine(RealPath(parent), Path.GetFileName(resolved));
    }
}
