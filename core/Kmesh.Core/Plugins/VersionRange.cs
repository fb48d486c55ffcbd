namespace Kmesh.Core.Plugins;

/// <summary>
/// Which plugin versions a plugin set accepts, in the npm/Cargo notation operators know:
/// <c>1.2.3</c> (exactly), <c>^1.2</c> (same major, at least 1.2.0), <c>~1.2.3</c> (same
/// minor), <c>1.x</c>, <c>*</c>, and comparisons joined by spaces (<c>&gt;=1.2.0 &lt;2.0.0</c>).
/// </summary>
public sealed class VersionRange
{
    private readonly List<Func<SemanticVersion, bool>> _conditions;

    private VersionRange(string text, List<Func<SemanticVersion, bool>> conditions)
    {
        Text = text;
        _conditions = conditions;
    }

    /// <summary>The range as written.</summary>
    public string Text { get; }

    /// <summary>True when <paramref name="version"/> is in the range.</summary>
    public bool Contains(SemanticVersion version) => _conditions.All(c => c(version));

    /// <summary>Parses a range; the message of the exception names the part it could not read.</summary>
    public static VersionRange Parse(string text)
    {
        var conditions = new List<Func<SemanticVersion, bool>>();
        foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            conditions.Add(Condition(part));
        if (conditions.Count == 0)
            throw new FormatException("an empty version range");
        return new VersionRange(text, conditions);
    }

    private static Func<SemanticVersion, bool> Condition(string part)
    {
        if (part is "*" or "x")
            return _ => true;
        foreach (var op in new[] { ">=", "<=", ">", "<", "=" })
        {
            if (!part.StartsWith(op, StringComparison.Ordinal))
                continue;
            var bound = Version(part[op.Length..], part);
            return op switch
            {
                ">=" => v => v >= bound,
                "<=" => v => v <= bound,
                ">" => v => v > bound,
                "<" => v => v < bound,
                _ => v => v.CompareTo(bound) == 0,
            };
        }
        if (part.StartsWith('^'))
        {
            var floor = Version(part[1..], part);
            return v => v >= floor && v.Major == floor.Major && (floor.Major != 0 || v.Minor == floor.Minor);
        }
        if (part.StartsWith('~'))
        {
            var floor = Version(part[1..], part);
            return v => v >= floor && v.Major == floor.Major && v.Minor == floor.Minor;
        }
        var pieces = part.Split('.');
        if (pieces.Length is 2 or 3 && pieces.Skip(1).Any(p => p is "x" or "*"))
        {
            var major = int.Parse(pieces[0]);
            var minor = pieces[1] is "x" or "*" ? (int?)null : int.Parse(pieces[1]);
            return v => v.Major == major && (minor is null || v.Minor == minor) && v.Prerelease.Length == 0;
        }
        var exact = Version(part, part);
        return v => v.CompareTo(exact) == 0;
    }

    /// <summary>A bound; <c>1</c> and <c>1.2</c> are read as <c>1.0.0</c> and <c>1.2.0</c>.</summary>
    private static SemanticVersion Version(string text, string part)
    {
        var padded = text.Count(c => c == '.') switch { 0 => text + ".0.0", 1 => text + ".0", _ => text };
        return SemanticVersion.TryParse(padded, out var version)
            ? version
            : throw new FormatException($"'{part}' is not a version or range (expected e.g. 1.2.3, ^1.2, ~1.2.3, >=1.0.0 <2.0.0)");
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
