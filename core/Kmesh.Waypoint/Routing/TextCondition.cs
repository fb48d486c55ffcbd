using System.Text.RegularExpressions;
using Envoy.Type.Matcher.V3;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// Envoy's <c>StringMatcher</c> (exact, prefix, suffix, contains, safe_regex, with
/// <c>ignore_case</c>), compiled once when the route table is built.
/// </summary>
internal sealed class TextCondition
{
    private readonly StringMatcher.MatchPatternOneofCase _kind;
    private readonly string _text;
    private readonly Regex? _regex;
    private readonly StringComparison _comparison;

    private TextCondition(StringMatcher.MatchPatternOneofCase kind, string text, Regex? regex, bool ignoreCase)
    {
        _kind = kind;
        _text = text;
        _regex = regex;
        _comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
    }

    /// <summary>Compiles <paramref name="matcher"/>; throws <see cref="UnsupportedRouteException"/> for a custom matcher.</summary>
    public static TextCondition From(StringMatcher matcher, string field) => matcher.MatchPatternCase switch
    {
        StringMatcher.MatchPatternOneofCase.Exact => new(matcher.MatchPatternCase, matcher.Exact, null, matcher.IgnoreCase),
        StringMatcher.MatchPatternOneofCase.Prefix => new(matcher.MatchPatternCase, matcher.Prefix, null, matcher.IgnoreCase),
        StringMatcher.MatchPatternOneofCase.Suffix => new(matcher.MatchPatternCase, matcher.Suffix, null, matcher.IgnoreCase),
        StringMatcher.MatchPatternOneofCase.Contains => new(matcher.MatchPatternCase, matcher.Contains, null, matcher.IgnoreCase),
        StringMatcher.MatchPatternOneofCase.SafeRegex => new(matcher.MatchPatternCase, "", FullRegex(matcher.SafeRegex.Regex, field), false),
        _ => throw new UnsupportedRouteException(field, $"string matcher {matcher.MatchPatternCase} is not supported"),
    };

    /// <summary>Exact text (the legacy <c>exact_match</c> fields).</summary>
    public static TextCondition Exactly(string text) => new(StringMatcher.MatchPatternOneofCase.Exact, text, null, false);

    /// <summary>A legacy prefix/suffix/contains field of a header matcher.</summary>
    public static TextCondition Of(StringMatcher.MatchPatternOneofCase kind, string text) => new(kind, text, null, false);

    /// <summary>A regex that must match the whole value, as Envoy's RE2 <c>safe_regex</c> does.</summary>
    public static TextCondition Regex(string pattern, string field) =>
        new(StringMatcher.MatchPatternOneofCase.SafeRegex, "", FullRegex(pattern, field), false);

    public bool Matches(ReadOnlySpan<char> value) => _kind switch
    {
        StringMatcher.MatchPatternOneofCase.Exact => value.Equals(_text, _comparison),
        StringMatcher.MatchPatternOneofCase.Prefix => value.StartsWith(_text, _comparison),
        StringMatcher.MatchPatternOneofCase.Suffix => value.EndsWith(_text, _comparison),
        StringMatcher.MatchPatternOneofCase.Contains => value.Contains(_text, _comparison),
        _ => _regex!.IsMatch(value),
    };

    /// <summary>
    /// Anchored at both ends: RE2's full match. NonBacktracking keeps a hostile pattern from
    /// costing more than linear time per request, the guarantee RE2 gives Envoy.
    /// </summary>
    private static Regex FullRegex(string pattern, string field)
    {
        try
        {
            return new Regex($"^(?:{pattern})$", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException e)
        {
            throw new UnsupportedRouteException(field, $"regex '{pattern}' does not compile: {e.Message}");
        }
    }
}
