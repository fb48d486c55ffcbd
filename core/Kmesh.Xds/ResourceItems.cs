namespace Kmesh.Xds;

/// <summary>
/// A resource file cut, as text, into the items of its top-level <c>resources:</c> block list and
/// the frame around them (<see cref="Prefix"/>: up to the first item; <see cref="Suffix"/>: after
/// the last), so that a changed file needs only its changed items parsed: the prefix, any subset
/// of the items and the suffix are again a document of the same shape, whose resources are those
/// of the items it holds. Shared by the xDS server's directory and the daemon's file source, which
/// both re-parse only the items whose text (<see cref="Hash"/>) changed.
/// </summary>
/// <param name="Prefix">The text before the first item (e.g. <c>version_info</c> and the <c>resources:</c> line).</param>
/// <param name="Items">Each item's text, from its <c>-</c> line up to the next item's (comments and blank lines included):
/// slices of the file's text, not copies (a 16 MB file of 30 000 items would otherwise be cut into
/// 16 MB more of strings at every read, only to be hashed).</param>
/// <param name="Suffix">The text after the list (other top-level keys), often empty.</param>
internal sealed partial record ResourceItems(string Prefix, IReadOnlyList<ReadOnlyMemory<char>> Items, string Suffix)
{
    /// <summary>
    /// Cuts <paramref name="text"/>, or null when it is not a single document with one top-level
    /// block list <c>resources:</c> — or when its items might depend on each other: an anchor
    /// (<c>&amp;</c>, anywhere, even in a string) lets one item refer to another, so such a file is
    /// always parsed whole. Whatever is null here is parsed whole, as before; the cut never
    /// decides what a file means.
    /// </summary>
    public static ResourceItems? TrySplit(string text) => TrySplit(text.AsMemory());

    /// <inheritdoc cref="TrySplit(string)"/>
    public static ResourceItems? TrySplit(ReadOnlyMemory<char> text)
    {
        var all = text.Span;
        if (all.Contains('&'))
            return null;
        var list = -1;
        for (int start = 0, next; start < all.Length; start = next)
        {
            next = NextLine(all, start);
            var line = Line(all, start, next);
            if (line.StartsWith("---", StringComparison.Ordinal) || line.StartsWith("...", StringComparison.Ordinal) || line.StartsWith('%'))
                return null; // several documents, or directives
            if (line.TrimEnd().SequenceEqual("resources:"))
            {
                if (list >= 0)
                    return null;
                list = start;
            }
        }
        if (list < 0)
            return null;

        // The first item fixes the list's indentation; everything more indented, blank or a comment belongs to the item above it.
        var indent = -1;
        var items = new List<int>();
        var end = all.Length;
        for (int start = NextLine(all, list), next; start < all.Length; start = next)
        {
            next = NextLine(all, start);
            var line = Line(all, start, next);
            var content = line.TrimStart(' ');
            if (content.IsWhiteSpace() || content[0] == '#')
                continue;
            var at = line.Length - content.Length;
            var isItem = IsItem(content);
            if (indent < 0)
            {
                if (!isItem)
                    return null; // a flow list, or no list
                indent = at;
            }
            if (at == indent && isItem)
            {
                items.Add(start);
                continue;
            }
            if (at <= indent)
            {
                end = start;
                break;
            }
        }
        if (items.Count == 0)
            return null;
        var starts = items.ToArray();
        return new ResourceItems(new string(all[..items[0]]), Cut(text, starts, end), new string(all[end..]))
        {
            Starts = starts,
            End = end,
            Indent = indent,
        };
    }

    /// <summary>
    /// Each item's text: from its start to the next one's, the last to <paramref name="end"/>; with
    /// two lists the first list's last item to <paramref name="betweenAt"/> (the second list's key).
    /// </summary>
    internal static ReadOnlyMemory<char>[] Cut(ReadOnlyMemory<char> text, int[] starts, int end, int secondFrom = int.MaxValue, int betweenAt = -1)
    {
        var cut = new ReadOnlyMemory<char>[starts.Length];
        for (var k = 0; k < starts.Length; k++)
            cut[k] = text[starts[k]..(k + 1 == secondFrom ? betweenAt : k + 1 < starts.Length ? starts[k + 1] : end)];
        return cut;
    }

    // Where the cut was made in the text it was cut from, for TrySplitEdit (null Starts: not known).

    /// <summary>Where each item starts in the text it was cut from.</summary>
    internal int[]? Starts { get; init; }

    /// <summary>Where the last item ends (the suffix's start).</summary>
    internal int End { get; init; }

    /// <summary>With two lists: where the first list's last item ends (the <see cref="Between"/> frame's start).</summary>
    internal int BetweenAt { get; init; } = -1;

    /// <summary>The column of the (first) list's <c>-</c>.</summary>
    internal int Indent { get; init; }

    /// <summary>With two lists: the column of the second list's <c>-</c>.</summary>
    internal int SecondIndent { get; init; } = -1;

    /// <summary>True when a tab anywhere makes the text one this cut does not take (a bootstrap's).</summary>
    internal bool NoTabs { get; init; }

    /// <summary>The field path of each list the items are in: <c>resources</c>, or a bootstrap's <c>listeners</c> and <c>clusters</c> (<see cref="BootstrapItems"/>).</summary>
    public IReadOnlyList<string> ListPaths { get; init; } = ["resources"];

    /// <summary>With two lists: the frame between them (the second list's key); null with one.</summary>
    public string? Between { get; init; }

    /// <summary>With two lists: the index in <see cref="Items"/> of the second list's first item.</summary>
    public int SecondFrom { get; init; } = int.MaxValue;

    /// <summary>The frame's identity: everything around the items (a changed frame means every item is parsed again).</summary>
    public UInt128 FrameHash() => Hash(Prefix + "\0" + Between + "\0" + Suffix + "\0" + string.Join(',', ListPaths));

    /// <summary>The list item <paramref name="index"/> is in, and its index in that list.</summary>
    public (string List, int Index) PathOf(int index) =>
        index < SecondFrom ? (ListPaths[0], index) : (ListPaths[1], index - SecondFrom);

    /// <summary>Items per document when a read parses many (<see cref="Parts"/>).</summary>
    public const int ItemsPerPart = 128;

    /// <summary>
    /// The items at <paramref name="indexes"/> (ascending) as documents of the frame around at most
    /// <see cref="ItemsPerPart"/> of them, in order, each with where its first item is in
    /// <paramref name="indexes"/>: for a read that parses many items (a start, a rewrite of most of a
    /// large file). One document of a 16 MB file's 30 000 items keeps its whole YAML node tree alive
    /// until the end of the parse, through the gen1 and gen2 collections its own garbage triggers
    /// (2–3 s paused in a 10 000-service start); a part's tree dies young, so the same parse pauses
    /// ~0.8 s and takes ~30% less time (bench/results/2026-12-07-file-parts.md). On both CPUs at
    /// once the parts took more CPU and longer (2026-12-07-ready20.md): parse them in order. Each
    /// part reads as it does inside the whole: the frame is the same, and an item holds its own
    /// resources.
    /// </summary>
    public IEnumerable<(string Text, int[] StartLines, string[] Paths, int From)> Parts(List<int> indexes)
    {
        for (var from = 0; from < indexes.Count; from += ItemsPerPart)
        {
            var count = Math.Min(ItemsPerPart, indexes.Count - from);
            var (text, starts, paths) = Document(count == indexes.Count ? indexes : indexes.GetRange(from, count));
            yield return (text, starts, paths, from);
        }
    }

    /// <summary>
    /// The document holding only the items at <paramref name="indexes"/> (ascending): the frame
    /// and them, each in its list; the 1-based line each starts on in it; and each one's field path
    /// there (its list and its index among the chosen items of that list).
    /// </summary>
    public (string Text, int[] StartLines, string[] Paths) Document(IReadOnlyList<int> indexes)
    {
        var text = new System.Text.StringBuilder();
        var starts = new int[indexes.Count];
        var paths = new string[indexes.Count];
        var line = 1;
        void Append(ReadOnlySpan<char> part)
        {
            text.Append(part);
            line += part.Count('\n');
        }
        Append(Prefix);
        var betweenDone = Between is null;
        var inList = 0;
        for (var k = 0; k < indexes.Count; k++)
        {
            var i = indexes[k];
            if (!betweenDone && i >= SecondFrom)
            {
                Append(Between);
                betweenDone = true;
                inList = 0;
            }
            starts[k] = line;
            paths[k] = FieldPath.Index(PathOf(i).List, inList++);
            var item = Items[i].Span;
            Append(item);
            // The last item of a file may lack its newline; another item or the suffix must not join it.
            if (!item.EndsWith('\n'))
                Append("\n");
        }
        if (!betweenDone)
            Append(Between);
        Append(Suffix);
        return (text.ToString(), starts, paths);
    }

    /// <summary>The 1-based line each item starts on in the file.</summary>
    public int[] FileStartLines()
    {
        var line = 1 + Prefix.AsSpan().Count('\n');
        var starts = new int[Items.Count];
        for (var k = 0; k < Items.Count; k++)
        {
            if (k == SecondFrom)
                line += Between!.AsSpan().Count('\n');
            starts[k] = line;
            line += LineCount(Items[k].Span);
        }
        return starts;
    }

    /// <summary>How many lines an item spans (its last line may lack a line break).</summary>
    public static int LineCount(ReadOnlySpan<char> item) => item.Count('\n') + (item.EndsWith('\n') ? 0 : 1);

    /// <summary>An item's (or frame's) identity in this process (<see cref="ContentHash"/>); equal text, equal hash.</summary>
    public static UInt128 Hash(ReadOnlySpan<char> text) => ContentHash.Of(text);

    /// <summary>True when a line's content (its indentation trimmed) is a block list's item: <c>-</c> alone or followed by a space.</summary>
    internal static bool IsItem(ReadOnlySpan<char> content) =>
        content[0] == '-' && (content.Length == 1 || content[1] is ' ' or '\r');

    /// <summary>Where the line after the one starting at <paramref name="start"/> starts (the text's length after the last).</summary>
    internal static int NextLine(ReadOnlySpan<char> text, int start)
    {
        var newline = text[start..].IndexOf('\n');
        return newline < 0 ? text.Length : start + newline + 1;
    }

    /// <summary>The line from <paramref name="start"/> to <paramref name="next"/>, without its line break.</summary>
    internal static ReadOnlySpan<char> Line(ReadOnlySpan<char> text, int start, int next)
    {
        var span = text[start..next];
        return span.TrimEnd('\n').TrimEnd('\r');
    }
}
