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
        var parsed = new ItemParse.Item[missing.Count];
        if (missing.Count > 0 && ItemParse.Parse(file, split, missing, parsed) is null)
            return ParseWhole(file, text.ToString(), state); // the whole parse's way, with the error's line in the file
        var fileStarts = split.FileStartLines();
        var byItem = new ((string Type, string Name) Key, ServedResource Resource)[missing.Count][];
        for (var j = 0; j < missing.Count; j++)
        {
            foreach (var warning in parsed[j].Warnings)
                LogFileWarning(log, warning.InFile(file, split, missing[j], fileStarts[missing[j]]).ToString());
            _resourcesParsed += parsed[j].Resources.Length;
            byItem[j] = [.. parsed[j].Resources.Select(r => ((r.TypeUrl, r.Name), Pack(r.Name, r.Message, r.Version)))];
        }

        var items = new Dictionary<UInt128, ParsedItem>(hashes.Length);
        var packed = new Dictionary<(string Type, string Name), ServedResource>();
        var next = 0;
        for (var k = 0; k < hashes.Length; k++)
        {
            if (known is null || !known.TryGetValue(hashes[k], out var item))
                item = new ParsedItem(byItem[next++]);
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
