using Google.Protobuf;

namespace Kmesh.Xds;

/// <summary>
/// Parses the changed items of a file cut into items (<see cref="ResourceItems"/>) and places what
/// each defines in it, relative to its first line: what the daemon's file source and
/// <c>kmesh xds serve</c> both keep per item, so that an unchanged item is never parsed again.
/// </summary>
internal static class ItemParse
{
    /// <summary>One resource an item defines; <paramref name="LineOffset"/> is its line less the item's first line.</summary>
    internal sealed record Resource(IMessage Message, string TypeUrl, string Name, int LineOffset, string? Version);

    /// <summary>A warning about an item; its field path is kept without the item's index (<c>resources[i]</c>), which moves.</summary>
    internal sealed record Warning(int LineOffset, int Column, string PathAfterIndex, string Message)
    {
        /// <summary>This warning as a whole parse of <paramref name="path"/> says it, for item <paramref name="index"/> starting on line <paramref name="start"/>.</summary>
        public ConfigWarning InFile(string path, ResourceItems split, int index, int start)
        {
            var (list, at) = split.PathOf(index);
            return new ConfigWarning(path, start + LineOffset, Column, FieldPath.Index(list, at) + PathAfterIndex, Message);
        }
    }

    /// <summary>What one item defines, and what was said about it.</summary>
    internal sealed record Item(Resource[] Resources, Warning[] Warnings);

    /// <summary>A parse's <c>version_info</c> (the frame's, the same in every part).</summary>
    internal sealed record Version(string? Text);

    /// <summary>
    /// Parses the items at <paramref name="missing"/> (ascending) into <paramref name="parsed"/>, in
    /// parts (<see cref="ResourceItems.Parts"/>). Null when the file must be parsed whole to read as
    /// the whole does: an unnamed resource or a warning that cannot be placed in its item, or an
    /// error in a part (the whole parse says it again, with the line in the file); an error of every
    /// item as one document (the whole file) is thrown as it is, with its real line. Anchors and
    /// names defined twice are the caller's to send the whole parse's way.
    /// </summary>
    public static Version? Parse(string path, ResourceItems split, List<int> missing, Item[] parsed)
    {
        var wholeFile = missing.Count == split.Items.Count && missing.Count <= ResourceItems.ItemsPerPart;
        Version? version = null;
        foreach (var (document, starts, paths, from) in split.Parts(missing))
        {
            EnvoyResources resources;
            try
            {
                resources = EnvoyConfigFile.Parse(path, document);
            }
            catch (ConfigParseException) when (!wholeFile)
            {
                return null;
            }
            if (!Place(resources, starts, paths, parsed.AsSpan(from, starts.Length)))
                return null;
            version ??= new Version(resources.VersionInfo);
        }
        return version;
    }

    /// <summary>Sorts the resources and warnings of a part's document into <paramref name="parsed"/>, relative to each item's first line; false when one cannot be placed.</summary>
    private static bool Place(EnvoyResources resources, int[] starts, string[] paths, Span<Item> parsed)
    {
        var byItem = new List<Resource>[parsed.Length];
        var warningsByItem = new List<Warning>[parsed.Length];
        foreach (var (typeUrl, name, message) in resources.All())
        {
            // An unnamed resource has no line to place it by.
            if (name.Length == 0 || resources.LineOf(typeUrl, name) is not { } line || ItemOf(starts, line) is not { } at)
                return false;
            (byItem[at] ??= []).Add(new Resource(message, typeUrl, name, line - starts[at], resources.ResourceVersions.GetValueOrDefault((typeUrl, name))));
        }
        foreach (var warning in resources.Warnings)
        {
            if (ItemOf(starts, warning.Line) is not { } at)
                return false; // about the frame
            var index = paths[at];
            if (!warning.FieldPath.StartsWith(index, StringComparison.Ordinal))
                return false;
            (warningsByItem[at] ??= []).Add(new Warning(warning.Line - starts[at], warning.Column, warning.FieldPath[index.Length..], warning.Message));
        }
        for (var i = 0; i < parsed.Length; i++)
        {
            // Within an item, resources in line order, as the whole parse adds them.
            var list = byItem[i] ?? [];
            list.Sort((a, b) => a.LineOffset.CompareTo(b.LineOffset));
            parsed[i] = new Item([.. list], [.. warningsByItem[i] ?? []]);
        }
        return true;
    }

    private static int? ItemOf(int[] starts, int line)
    {
        var at = Array.BinarySearch(starts, line);
        if (at < 0)
            at = ~at - 1;
        return at < 0 ? null : at;
    }
}
