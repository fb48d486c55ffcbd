using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Kmesh.Xds;

/// <summary>
/// Passes a YAML parser's events through while enforcing <see cref="ParseLimits"/>: nesting
/// depth, scalar size, and what aliases expand to. YamlDotNet's own recursion limits belong to
/// its object deserializer, not to the representation model read here, whose loading recurses
/// once per level and whose aliases are shared nodes that the writers expand in place (hence
/// "billion laughs"). Checking the event stream stops both before the tree is built: the depth
/// when the level opens, an alias when it is met, with the line it is on.
/// </summary>
internal sealed class LimitedYamlParser(IParser inner, YamlSource source) : IParser
{
    /// <summary>What a node expands to: nodes, scalar characters, and levels below it.</summary>
    private record struct Extent(long Nodes, long Chars, int Height);

    private sealed class Open(string? anchor)
    {
        public string? Anchor { get; } = anchor;
        public Extent Extent;
    }

    private readonly Stack<Open> _open = new();
    private readonly Dictionary<string, Extent> _anchors = new(StringComparer.Ordinal);
    private long _aliasNodes;
    private long _aliasChars;

    public ParsingEvent? Current => inner.Current;

    /// <summary>Where the last event read started: where the parser was when something went wrong.</summary>
    public Mark Position => inner.Current?.Start ?? Mark.Empty;

    public bool MoveNext()
    {
        if (!inner.MoveNext())
            return false;
        switch (inner.Current)
        {
            case MappingStart or SequenceStart:
                if (_open.Count + 1 > ParseLimits.MaxDepth)
                    throw Limit(inner.Current, $"nested deeper than {ParseLimits.MaxDepth} levels, the limit for config (docs/limits.md)");
                _open.Push(new Open(AnchorOf((NodeEvent)inner.Current)));
                break;
            case MappingEnd or SequenceEnd when _open.Count > 0:
                var closed = _open.Pop();
                var extent = closed.Extent with { Nodes = closed.Extent.Nodes + 1, Height = closed.Extent.Height + 1 };
                Add(extent);
                if (closed.Anchor is not null)
                    _anchors[closed.Anchor] = extent;
                break;
            case Scalar scalar:
                if (scalar.Value.Length > ParseLimits.MaxScalarChars)
                    throw Limit(scalar, $"a scalar of {ParseLimits.Size(scalar.Value.Length)}, over the limit of {ParseLimits.Size(ParseLimits.MaxScalarChars)} (docs/limits.md)");
                var one = new Extent(1, scalar.Value.Length, 0);
                Add(one);
                if (AnchorOf(scalar) is { } name)
                    _anchors[name] = one;
                break;
            case AnchorAlias alias:
                Expand(alias);
                break;
        }
        return true;
    }

    private void Expand(AnchorAlias alias)
    {
        var name = alias.Value.Value;
        if (_open.Any(o => o.Anchor == name))
            throw Limit(alias, $"the alias *{name} is inside the node it names: it would expand forever");
        // An unknown anchor is YamlDotNet's error to report.
        if (!_anchors.TryGetValue(name, out var extent))
            return;
        _aliasNodes += extent.Nodes;
        _aliasChars += extent.Chars;
        if (_aliasNodes > ParseLimits.MaxAliasNodes)
            throw Limit(alias, $"aliases expand to more than {ParseLimits.MaxAliasNodes:N0} nodes, the limit for config (docs/limits.md)");
        if (_aliasChars > ParseLimits.MaxAliasChars)
            throw Limit(alias, $"aliases expand to more than {ParseLimits.Size(ParseLimits.MaxAliasChars)} of text, the limit for config (docs/limits.md)");
        if (_open.Count + extent.Height > ParseLimits.MaxDepth)
            throw Limit(alias, $"the alias *{name} nests deeper than {ParseLimits.MaxDepth} levels where it is used, the limit for config (docs/limits.md)");
        Add(extent);
    }

    private void Add(Extent child)
    {
        if (!_open.TryPeek(out var parent))
            return;
        parent.Extent = new Extent(Saturate(parent.Extent.Nodes + child.Nodes), Saturate(parent.Extent.Chars + child.Chars),
            Math.Max(parent.Extent.Height, child.Height));
    }

    // The sums of a nested bomb grow geometrically; the limits catch them long before a long overflows.
    private static long Saturate(long value) => value < 0 ? long.MaxValue : value;

    private static string? AnchorOf(NodeEvent node) => node.Anchor.IsEmpty ? null : node.Anchor.Value;

    private ConfigParseException Limit(ParsingEvent at, string reason) => source.Error(at.Start, "", reason);
}
