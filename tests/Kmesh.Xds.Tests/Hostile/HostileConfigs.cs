using System.Text;

namespace Kmesh.Xds.Tests.Hostile;

/// <summary>
/// Inputs an attacker or a careless operator could hand kmesh, each with the words its error
/// must contain. Shared (linked) by the parser, source, server and process tests, so that every
/// input path is held to the same table.
/// </summary>
public static class HostileConfigs
{
    /// <summary>A valid cluster whose metadata holds <paramref name="metadata"/> (a Struct: schema-free YAML).</summary>
    public static string ClusterWithMetadata(string metadata, string name = "c") => $$"""
        resources:
        - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
          name: {{name}}
          type: STATIC
          metadata:
            filter_metadata:
              x: {{metadata}}
        """;

    /// <summary>Levels the wrapper of <see cref="ClusterWithMetadata"/> takes before the metadata value.</summary>
    public const int WrapperLevels = 5;

    /// <summary>Flow mappings <paramref name="levels"/> deep: <c>{a: {a: ... 1}}</c>.</summary>
    public static string NestedMappings(int levels) => Repeat("{a: ", levels) + "1" + Repeat("}", levels);

    /// <summary>Flow sequences <paramref name="levels"/> deep inside one mapping: <c>{a: [[...1]]}</c>.</summary>
    public static string NestedSequences(int levels) => "{a: " + Repeat("[", levels - 1) + "1" + Repeat("]", levels - 1) + "}";

    /// <summary>Block mappings <paramref name="levels"/> deep, indented as people write them.</summary>
    public static string BlockMappings(int levels)
    {
        var text = new StringBuilder("\n");
        for (var i = 0; i < levels; i++)
            text.Append(' ', 8 + 2 * i).Append("k").Append(i).Append(":\n");
        text.Append(' ', 8 + 2 * levels).Append("1\n");
        return text.ToString();
    }

    /// <summary>The same as JSON (a JSON file is read by the same YAML parser).</summary>
    public static string JsonNested(int levels) =>
        """{"resources":[{"@type":"type.googleapis.com/envoy.config.cluster.v3.Cluster","name":"c","metadata":{"filter_metadata":{"x":"""
        + Repeat("""{"a":""", levels) + "1" + Repeat("}", levels) + "}}}]}";

    /// <summary>A bare <c>[[[[…]]]]</c>.</summary>
    public static string BareSequences(int levels) => Repeat("[", levels) + Repeat("]", levels);

    /// <summary>"Billion laughs": nine aliases of nine aliases, nine levels (9^9 strings when expanded), 882 bytes or so.</summary>
    public static string AliasBomb()
    {
        var lines = new StringBuilder("\n");
        lines.Append("          a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var c = 'b'; c <= 'i'; c++)
            lines.Append($"          {c}: &{c} [{string.Join(",", Enumerable.Repeat($"*{(char)(c - 1)}", 9))}]\n");
        return ClusterWithMetadata(lines.ToString());
    }

    /// <summary>An alias inside the node it names.</summary>
    public static string AliasCycle() => ClusterWithMetadata("&loop [ *loop ]");

    /// <summary>A shallow anchor of a deep node, used deep: deep only once expanded.</summary>
    public static string DeepThroughAlias() =>
        ClusterWithMetadata($"{{ d: &d {NestedMappings(60)}, use: {NestedMappings(40).Replace("1", "*d", StringComparison.Ordinal)} }}");

    /// <summary>A string of <paramref name="chars"/> characters in metadata.</summary>
    public static string HugeString(int chars) => ClusterWithMetadata("{ s: \"" + new string('x', chars) + "\" }");

    /// <summary>One key given twice in a resource.</summary>
    public static string DuplicateKey() => """
        resources:
        - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
          name: c
          name: d
          type: STATIC
        """;

    /// <summary>A valid file cut in the middle of a flow mapping.</summary>
    public static string Truncated() => ClusterWithMetadata("{ a: { b: [1, 2");

    /// <summary>Bytes that are not text: a NUL in the first line.</summary>
    public static byte[] Binary() => [0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0xff, 0xfe, 0x0a, 0x00];

    /// <summary>
    /// The table: name, text, and what the error must contain (null: the file is fine). Depths
    /// count every level of the document: the wrapper's plus the metadata's.
    /// </summary>
    public static IEnumerable<(string Name, string Text, string? Error)> Table()
    {
        const string depth = "nested deeper than 100 levels";
        foreach (var levels in new[] { 50, 101, 1000, 10000 })
        {
            var inner = levels - WrapperLevels;
            var error = levels > ParseLimits.MaxDepth ? depth : null;
            yield return ($"mappings-{levels}", ClusterWithMetadata(NestedMappings(inner)), error);
            yield return ($"sequences-{levels}", ClusterWithMetadata(NestedSequences(inner)), error);
            // Indented block mappings 10 000 deep are 100 MB of spaces: the size limit's case, not depth's.
            if (levels <= 1000)
                yield return ($"block-{levels}", ClusterWithMetadata(BlockMappings(inner)), error);
            yield return ($"json-{levels}", JsonNested(inner), error);
            yield return ($"bare-{levels}", BareSequences(levels), levels > ParseLimits.MaxDepth ? depth : "expected a mapping");
        }
        yield return ("exactly-100", ClusterWithMetadata(NestedMappings(ParseLimits.MaxDepth - WrapperLevels)), null);
        yield return ("alias-bomb", AliasBomb(), "aliases expand to more than 100,000 nodes");
        yield return ("alias-cycle", AliasCycle(), "the alias *loop is inside the node it names");
        yield return ("deep-through-alias", DeepThroughAlias(), "the alias *d nests deeper than 100 levels");
        yield return ("huge-string", HugeString(ParseLimits.MaxScalarChars + 1), "over the limit of 16 MiB");
        yield return ("big-string", HugeString(5 * 1024 * 1024), null);
        yield return ("duplicate-key", DuplicateKey(), "Duplicate key");
        yield return ("truncated", Truncated(), "invalid YAML");
    }

    private static string Repeat(string text, int count) => new StringBuilder(text.Length * count).Insert(0, text, count).ToString();
}
