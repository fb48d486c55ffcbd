namespace Kmesh.Xds;

/// <summary>
/// Cuts an Envoy bootstrap that is only <c>static_resources:</c> with a <c>listeners:</c> and/or a
/// <c>clusters:</c> block list (the shape of examples/mesh.yaml and of most hand-written Envoy
/// configs) into the items of those lists, as <see cref="ResourceItems"/> does for a
/// <c>resources:</c> list: so that a one-endpoint edit of a 10 000-cluster bootstrap parses one
/// item, not the file. Anything else — another top-level key (admin, node...), another key under
/// <c>static_resources</c> (secrets), a flow list, the lists the other way round, anchors, several
/// documents — is null here and parsed whole, as before.
/// </summary>
internal static class BootstrapItems
{
    private static readonly string[] Lists = ["listeners", "clusters"];

    public static ResourceItems? TrySplit(ReadOnlyMemory<char> text)
    {
        var all = text.Span;
        if (all.Contains('&'))
            return null;
        // The frame: "static_resources:" at column 0, the only top-level key; then its keys, each a block list.
        var statics = -1;
        var keyIndent = -1;
        var itemIndent = -1;
        var list = -1;                 // which of Lists the items now belong to
        var starts = new List<int>();
        var firstOfSecond = -1;        // index in starts of the second list's first item
        var firstList = -1;            // the list of the first item
        var betweenFrom = -1;          // where the second list's key line starts
        var (firstIndent, secondIndent) = (-1, -1); // the column of each list's "-"
        var end = all.Length;
        for (int start = 0, next; start < all.Length; start = next)
        {
            next = ResourceItems.NextLine(all, start);
            var line = ResourceItems.Line(all, start, next);
            var content = line.TrimStart(' ');
            if (content.IsWhiteSpace() || content[0] == '#')
                continue;
            if (line.StartsWith("---", StringComparison.Ordinal) || line.StartsWith("...", StringComparison.Ordinal) || line[0] == '%' || line.Contains('\t'))
                return null;
            var at = line.Length - content.Length;
            if (statics < 0)
            {
                if (at != 0 || !content.TrimEnd().SequenceEqual("static_resources:"))
                    return null;
                statics = start;
                continue;
            }
            if (at == 0)
                return null; // another top-level key
            var isItem = ResourceItems.IsItem(content);
            if (list >= 0 && isItem && (itemIndent < 0 || at == itemIndent) && at >= keyIndent)
            {
                if (itemIndent < 0)
                    itemIndent = at;
                if (firstList < 0)
                    (firstList, firstIndent) = (list, at);
                else if (list != firstList && firstOfSecond < 0)
                    (firstOfSecond, secondIndent) = (starts.Count, at);
                starts.Add(start);
                continue;
            }
            if (itemIndent >= 0 && at > itemIndent)
                continue; // inside the item above
            // A key of static_resources: the next list, or not ours.
            if (keyIndent < 0)
                keyIndent = at;
            if (at != keyIndent)
                return null;
            var key = content.TrimEnd();
            var which = key.SequenceEqual("listeners:") ? 0 : key.SequenceEqual("clusters:") ? 1 : -1;
            if (which < 0 || which <= list)
                return null; // another key (secrets...), a flow list ("clusters: [...]"), twice, or clusters first
            if (starts.Count > 0 && list >= 0)
                betweenFrom = start;
            list = which;
            itemIndent = -1;
        }
        if (statics < 0 || starts.Count == 0)
            return null;
        if (firstOfSecond < 0 && betweenFrom >= 0)
            end = betweenFrom; // the second list has no items: its key is frame after the first's
        var at0 = starts.ToArray();
        // One list when the other is absent or empty (the paths then start at the one with items).
        var paths = firstOfSecond > 0 ? Lists : [Lists[firstList]];
        if (firstOfSecond < 0)
        {
            return new ResourceItems(new string(all[..starts[0]]), ResourceItems.Cut(text, at0, end), new string(all[end..]))
            {
                ListPaths = paths,
                Starts = at0,
                End = end,
                Indent = firstIndent,
                NoTabs = true,
            };
        }
        return new ResourceItems(new string(all[..starts[0]]), ResourceItems.Cut(text, at0, end, firstOfSecond, betweenFrom), "")
        {
            ListPaths = paths,
            Between = new string(all[betweenFrom..starts[firstOfSecond]]),
            SecondFrom = firstOfSecond,
            Starts = at0,
            End = end,
            Indent = firstIndent,
            SecondIndent = secondIndent,
            BetweenAt = betweenFrom,
            NoTabs = true,
        };
    }
}
