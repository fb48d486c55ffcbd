using System.Text;

namespace Kmesh.Xds.Validation;

/// <summary>
/// A field path kept as a chain of links and spelled out only when a violation needs it: building
/// path strings for every visited field would cost more than the checks themselves.
/// </summary>
internal sealed class PathNode
{
    private readonly PathNode? _parent;
    private readonly string? _name;
    private readonly object? _key;

    private PathNode(PathNode? parent, string? name, object? key)
    {
        _parent = parent;
        _name = name;
        _key = key;
    }

    /// <summary>The validated message itself.</summary>
    public static PathNode Root { get; } = new(null, null, null);

    /// <summary>A field of this message.</summary>
    public PathNode Field(string name) => new(this, name, null);

    /// <summary>An item of a list (an index) or an entry of a map (a key).</summary>
    public PathNode Item(object key) => new(this, null, key);

    /// <summary>The path as PGV-style text, e.g. <c>endpoints[0].lb_endpoints[1].load_balancing_weight</c>.</summary>
    public string Text
    {
        get
        {
            var links = new Stack<PathNode>();
            for (var node = this; node._parent is not null; node = node._parent)
                links.Push(node);
            var text = new StringBuilder();
            foreach (var link in links)
            {
                if (link._name is not null)
                    text.Append(text.Length == 0 ? "" : ".").Append(link._name);
                else
                    text.Append('[').Append(link._key).Append(']');
            }
            return text.ToString();
        }
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
