using Google.Protobuf;

namespace Kmesh.Xds.Server;

public sealed partial class ResourceDirectory
{
    /// <summary>What one item of a resource list defines, packed (usually one resource; none for a type not served).</summary>
    private sealed record ParsedItem(((string Type, string Name) Key, ServedResource Resource)[] Resources);

    // Resources read from text since the last Read returned.
    private int _resourcesParsed;

    /// <summary>
    /// Parses a changed file. A resource list (<see cref="ResourceItems"/>) is parsed only in the
    /// items whose text is not among the file's last good items (in parts of at most
    /// <see cref="ResourceItems.ItemsPerPart"/>, <see cref="ResourceItems.Parts"/>): a one-endpoint
    /// edit of a 100-service file parses one ClusterLoadAssignment, not 300 resources. Anything unusual
    /// (not cut into items, an error, a name defined by two items, a resource that cannot be
    /// placed in an item) parses the whole file instead, so a file means and reports exactly
    /// what a whole parse says, with the error's real line.
    /// </summary>
    /// <exception cref="ConfigParseException">The file is not valid.</exception>
    private Dictionary<(string Type, string Name), ServedResource> ParseChanged(string file, ReadOnlyMemory<char> text, FileState state)
    {
        var split = ResourceItems.TrySplit(text);
        if (split is null)
            return ParseWhole(file, text.ToString(), state);
        // What surrounds the items could change what they mean (another shape, a version): then none is reused.
        var frame = split.FrameHash();
        var known = frame == state.ItemsFrame ? state.Items : null;
        var hashes = new UInt128[split.Items.Count];
        var missing = new List<int>();
        for (var k = 0; k < hashes.Length; k++)
        {
            hashes[k] = ResourceItems.Hash(split.Items[k].Span);
            if (known is null || !known.ContainsKey(hashes[k]))
                missing.Add(k);
        }
        var byItem = new List<((string Type, string Name) Key, ServedResource Resource)>[missing.Count];
        var fileStarts = split.FileStartLines();
        foreach (var (document, starts, paths, from) in split.Parts(missing))
        {
            EnvoyResources resources;
            try
            {
                resources = EnvoyConfigFile.Parse(file, document);
            }
            catch (ConfigParseException) when (missing.Count < split.Items.Count || missing.Count > ResourceItems.ItemsPerPart)
            {
                return ParseWhole(file, text.ToString(), state); // for the error's line in the file
            }
            foreach (var warning in resources.Warnings)
                LogFileWarning(log, InFile(warning, split, starts, paths, missing, from, fileStarts).ToString());
            _resourcesParsed += resources.Count;
            foreach (var (typeUrl, name, message) in resources.All())
            {
                if (name.Length == 0)
                {
                    LogUnnamed(log, file, typeUrl);
                    continue;
                }
                var line = resources.LineOf(typeUrl, name);
                var at = line is null ? -1 : Array.BinarySearch(starts, line.Value);
                if (at < 0)
                    at = line is null ? -1 : ~at - 1;
                if (at < 0)
                    return ParseWhole(file, text.ToString(), state);
                (byItem[from + at] ??= []).Add(((typeUrl, name), Pack(name, message, resources.ResourceVersions.GetValueOrDefault((typeUrl, name)))));
            }
        }

        var items = new Dictionary<UInt128, ParsedItem>(hashes.Length);
        var packed = new Dictionary<(string Type, string Name), ServedResource>();
        var next = 0;
        for (var k = 0; k < hashes.Length; k++)
        {
            if (known is null || !known.TryGetValue(hashes[k], out var item))
                item = new ParsedItem(byItem[next++]?.ToArray() ?? []);
            items[hashes[k]] = item;
            foreach (var (key, resource) in item.Resources)
            {
                if (!packed.TryAdd(key, resource))
                    return ParseWhole(file, text.ToString(), state); // a name defined twice: the whole parse refuses the file and says where
            }
        }
        state.Items = items;
        state.ItemsFrame = frame;
        return packed;
    }

    /// <summary>A warning about a part's document, with the file's line and list index (one about the frame is the file's already).</summary>
    private static ConfigWarning InFile(ConfigWarning warning, ResourceItems split, int[] starts, string[] paths, List<int> missing, int from, int[] fileStarts)
    {
        var at = Array.BinarySearch(starts, warning.Line);
        if (at < 0)
            at = ~at - 1;
        if (at < 0 || !warning.FieldPath.StartsWith(paths[at], StringComparison.Ordinal))
            return warning;
        var index = missing[from + at];
        var (list, position) = split.PathOf(index);
        return warning with
        {
            Line = fileStarts[index] + (warning.Line - starts[at]),
            FieldPath = FieldPath.Index(list, position) + warning.FieldPath[paths[at].Length..],
        };
    }

    /// <summary>Parses a whole file; the next change of it parses all its items again.</summary>
    private Dictionary<(string Type, string Name), ServedResource> ParseWhole(string file, string text, FileState state)
    {
        state.Items = null;
        var resources = EnvoyConfigFile.Parse(file, text);
        foreach (var warning in resources.Warnings)
            LogFileWarning(log, warning.ToString());
        _resourcesParsed += resources.Count;
        var packed = new Dictionary<(string Type, string Name), ServedResource>();
        foreach (var (typeUrl, name, message) in resources.All())
        {
            if (name.Length == 0)
            {
                LogUnnamed(log, file, typeUrl);
                continue;
            }
            if (!packed.TryAdd((typeUrl, name), Pack(name, message, resources.ResourceVersions.GetValueOrDefault((typeUrl, name)))))
                LogDuplicate(log, file, typeUrl, name);
        }
        return packed;
    }
}
