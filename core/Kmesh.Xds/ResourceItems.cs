using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

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
/// <param name="Items">Each item's text, from its <c>-</c> line up to the next item's (comments and blank lines included).</param>
/// <param name="Suffix">The text after the list (other top-level keys), often empty.</param>
internal sealed record ResourceItems(string Prefix, IReadOnlyList<string> Items, string Suffix)
{
    /// <summary>
    /// Cuts <paramref name="text"/>, or null when it is not a single document with one top-level
    /// block list <c>resources:</c> — or when its items might depend on each other: an anchor
    /// (<c>&amp;</c>, anywhere, even in a string) lets one item refer to another, so such a file is
    /// always parsed whole. Whatever is null here is parsed whole, as before; the cut never
    /// decides what a file means.
    /// </summary>
    public static ResourceItems? TrySplit(string text)
    {
        if (text.Contains('&', StringComparison.Ordinal))
            return null;
        var lines = Lines(text);
        var list = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = Line(text, lines[i]);
            if (line.StartsWith("---", StringComparison.Ordinal) || line.StartsWith("...", StringComparison.Ordinal) || line.StartsWith('%'))
                return null; // several documents, or directives
            if (line.TrimEnd().SequenceEqual("resources:"))
            {
                if (list >= 0)
                    return null;
                list = i;
            }
        }
        if (list < 0)
            return null;

        // The first item fixes the list's indentation; everything more indented, blank or a comment belongs to the item above it.
        var indent = -1;
        var items = new List<int>();
        var end = lines.Count;
        for (var i = list + 1; i < lines.Count; i++)
        {
            var line = Line(text, lines[i]);
            var content = line.TrimStart(' ');
            if (content.IsWhiteSpace() || content[0] == '#')
                continue;
            var at = line.Length - content.Length;
            var isItem = content[0] == '-' && (content.Length == 1 || content[1] is ' ' or '\r');
            if (indent < 0)
            {
                if (!isItem)
                    return null; // a flow list, or no list
                indent = at;
            }
            if (at == indent && isItem)
            {
                items.Add(i);
                continue;
            }
            if (at <= indent)
            {
                end = i;
                break;
            }
        }
        if (items.Count == 0)
            return null;
        var cut = new string[items.Count];
        for (var k = 0; k < items.Count; k++)
        {
            var from = lines[items[k]].Start;
            var to = k + 1 < items.Count ? lines[items[k + 1]].Start : end < lines.Count ? lines[end].Start : text.Length;
            cut[k] = text[from..to];
        }
        var prefixEnd = lines[items[0]].Start;
        var suffixStart = end < lines.Count ? lines[end].Start : text.Length;
        return new ResourceItems(text[..prefixEnd], cut, text[suffixStart..]);
    }

    /// <summary>The document holding only <paramref name="items"/>: the prefix, them, the suffix; and the 1-based line each item starts on in it.</summary>
    public (string Text, int[] StartLines) Document(IReadOnlyList<string> items)
    {
        var size = Prefix.Length + Suffix.Length;
        foreach (var item in items)
            size += item.Length + 1;
        var text = new System.Text.StringBuilder(size);
        text.Append(Prefix);
        foreach (var item in items)
        {
            text.Append(item);
            // The last item of a file may lack its newline; another item or the suffix must not join it.
            if (!item.EndsWith('\n'))
                text.Append('\n');
        }
        text.Append(Suffix);
        return (text.ToString(), StartLines(items));
    }

    /// <summary>The 1-based line each of <paramref name="items"/> starts on in <see cref="Document"/> of them (of all <see cref="Items"/>: in the file).</summary>
    public int[] StartLines(IReadOnlyList<string> items)
    {
        var line = 1 + Count(Prefix);
        var starts = new int[items.Count];
        for (var k = 0; k < items.Count; k++)
        {
            starts[k] = line;
            line += Count(items[k]) + (items[k].EndsWith('\n') ? 0 : 1);
        }
        return starts;
    }

    /// <summary>An item's (or frame's) identity: the first 128 bits of the SHA-256 of its UTF-16 text; equal text, equal hash.</summary>
    public static UInt128 Hash(string text)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(text.AsSpan()), hash);
        return BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    private static int Count(string text) => text.AsSpan().Count('\n');

    private static List<(int Start, int Length)> Lines(string text)
    {
        var lines = new List<(int, int)>(text.Length / 40);
        var start = 0;
        while (start < text.Length)
        {
            var newline = text.IndexOf('\n', start);
            var end = newline < 0 ? text.Length : newline + 1;
            lines.Add((start, end - start));
            start = end;
        }
        return lines;
    }

    private static ReadOnlySpan<char> Line(string text, (int Start, int Length) line)
    {
        var span = text.AsSpan(line.Start, line.Length);
        return span.TrimEnd('\n').TrimEnd('\r');
    }
}
