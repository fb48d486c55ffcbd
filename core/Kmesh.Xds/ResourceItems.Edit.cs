namespace Kmesh.Xds;

internal sealed partial record ResourceItems
{
    /// <summary>
    /// The cut of <paramref name="text"/> — the text this was cut from, with <paramref name="edit"/>
    /// made — that a whole cut (<see cref="TrySplit(ReadOnlyMemory{char})"/>, <see cref="BootstrapItems.TrySplit"/>)
    /// would give, found by cutting again only the items the edit touches; the others keep their
    /// place (shifted after it). A one-line edit of a 30 000-item file so walks one item's lines
    /// instead of 220 000. Also which items of this cut were replaced (<c>[From, To)</c>) and by how
    /// many. Null when the edit could change more than its items, and the whole cut decides: it
    /// reaches into the frame (around or between the lists), brings an anchor (or a tab into a
    /// bootstrap), or leaves a line that would end its list, or join an item to the one before.
    /// </summary>
    public (ResourceItems Items, int From, int To, int Count)? TrySplitEdit(ReadOnlyMemory<char> text, TextEdit edit)
    {
        if (Starts is not { } starts || edit.Start < starts[0] || edit.OldEnd > End || edit.NewEnd > text.Length)
            return null;
        var all = text.Span;
        var middle = all[edit.Start..edit.NewEnd];
        if (middle.Contains('&') || (NoTabs && middle.Contains('\t')))
            return null;
        // From the item the edit starts in up to the first item starting after it (its text is as before).
        var from = Array.BinarySearch(starts, edit.Start);
        from = from >= 0 ? from : ~from - 1;
        var to = Array.BinarySearch(starts, edit.OldEnd + 1);
        to = to >= 0 ? to : ~to;
        // Within one list's items: the frame between a bootstrap's two lists stays as it was.
        var second = from >= SecondFrom;
        if (edit.OldEnd > (Between is null || second ? End : BetweenAt))
            return null;
        var indent = second ? SecondIndent : Indent;
        var regionStart = starts[from];
        var regionEnd = (to == SecondFrom ? BetweenAt : to < starts.Length ? starts[to] : End) + edit.Shift;
        if (regionEnd < all.Length && all[regionEnd - 1] != '\n')
            return null; // what follows no longer starts a line

        var fresh = new List<int>();
        for (int start = regionStart, next; start < regionEnd; start = next)
        {
            next = NextLine(all, start);
            var line = Line(all, start, next);
            var content = line.TrimStart(' ');
            var at = line.Length - content.Length;
            if (content.IsWhiteSpace() || content[0] == '#')
            {
                if (fresh.Count == 0)
                    return null; // it would belong to the item before
                continue;
            }
            if (at == indent && IsItem(content))
                fresh.Add(start);
            else if (at <= indent || fresh.Count == 0)
                return null; // the list would end here (a key, a document marker, another resources:), or join the item before
        }
        if (fresh.Count == 0)
            return null;

        var cut = new int[from + fresh.Count + (starts.Length - to)];
        starts.AsSpan(0, from).CopyTo(cut);
        fresh.CopyTo(cut, from);
        for (var k = to; k < starts.Length; k++)
            cut[from + fresh.Count + k - to] = starts[k] + edit.Shift;
        // An edit of the first list moves the second (its first index and where the frame between starts).
        var secondFrom = Between is null || second ? SecondFrom : SecondFrom + fresh.Count - (to - from);
        var betweenAt = Between is null || second ? BetweenAt : BetweenAt + edit.Shift;
        var end = End + edit.Shift;
        var items = this with
        {
            Items = Cut(text, cut, end, secondFrom, betweenAt),
            SecondFrom = secondFrom,
            Starts = cut,
            End = end,
            BetweenAt = betweenAt,
        };
        return (items, from, to, fresh.Count);
    }
}
