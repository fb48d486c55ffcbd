using System.Text.RegularExpressions;

namespace Kmesh.Ctl.Tests.Deploy;

/// <summary>
/// The metric names a PromQL expression selects. Not a PromQL parser (promtool checks syntax):
/// it removes what cannot be a metric name — strings, label matchers, ranges, numbers, grouping
/// label lists, function and aggregation names, keywords — and what is left are the names.
/// </summary>
internal static partial class PromQlMetricNames
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2",
    };

    public static IReadOnlySet<string> In(string expression)
    {
        var text = Strings().Replace(expression, " ");
        text = LabelMatchers().Replace(text, " ");
        text = Ranges().Replace(text, " ");
        text = GroupingLabels().Replace(text, " ");
        text = Numbers().Replace(text, " ");
        return Identifiers().Matches(text)
            .Where(m => !m.Groups["call"].Success && !Keywords.Contains(m.Groups["name"].Value))
            .Select(m => m.Groups["name"].Value)
            .ToHashSet();
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", RegexOptions.IgnoreCase)]
    private static partial Regex GroupingLabels();

    // Numbers and durations (0.99, 1e3, 5m, 1h30m).
    [GeneratedRegex(@"(?<![A-Za-z_:0-9])(?:\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:ms|[smhdwy])?)+(?![A-Za-z_:0-9])")]
    private static partial Regex Numbers();

    [GeneratedRegex(@"(?<name>[A-Za-z_:][A-Za-z0-9_:]*)(?<call>\s*\()?")]
    private static partial Regex Identifiers();
}
