using System.Text.RegularExpressions;
using Envoy.Config.Route.V3;
using Envoy.Type.Matcher.V3;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Sdk.Waypoint;

/// <summary>
/// Envoy's <c>HeaderMatcher</c> and <c>StringMatcher</c> on a request's headers, for plugins' L7
/// parts (a fault's header conditions, a rate limit's <c>header_value_match</c> action): one
/// reading of Envoy's semantics instead of one per plugin.
/// </summary>
public static class HeaderMatchers
{
    /// <summary>
    /// Whether <paramref name="headers"/> satisfy <paramref name="matcher"/>: presence, exact, prefix,
    /// suffix, contains, whole-value regex and <c>string_match</c>, on the header's values joined by
    /// commas (as Envoy joins repeated headers); <c>invert_match</c> flips the result, a matcher with
    /// no specifier asks for presence.
    /// </summary>
    public static bool Matches(HeaderMatcher matcher, IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(matcher);
        ArgumentNullException.ThrowIfNull(headers);
        var present = headers.TryGetValue(matcher.Name, out var values);
        var value = values.ToString();
#pragma warning disable CS0612 // the legacy *_match fields are still what many configs use
        var result = matcher.HeaderMatchSpecifierCase switch
        {
            HeaderMatcher.HeaderMatchSpecifierOneofCase.PresentMatch => present == matcher.PresentMatch,
            HeaderMatcher.HeaderMatchSpecifierOneofCase.ExactMatch => present && value == matcher.ExactMatch,
            HeaderMatcher.HeaderMatchSpecifierOneofCase.PrefixMatch => present && value.StartsWith(matcher.PrefixMatch, StringComparison.Ordinal),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.SuffixMatch => present && value.EndsWith(matcher.SuffixMatch, StringComparison.Ordinal),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.ContainsMatch => present && value.Contains(matcher.ContainsMatch, StringComparison.Ordinal),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.SafeRegexMatch => present && WholeValueMatches(matcher.SafeRegexMatch.Regex, value, ignoreCase: false),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.StringMatch => present && Matches(matcher.StringMatch, value),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.None => present,
            _ => false,
        };
#pragma warning restore CS0612
        return result != matcher.InvertMatch;
    }

    /// <summary>Whether <paramref name="value"/> satisfies <paramref name="matcher"/> (<c>ignore_case</c> honoured; a regex must match the whole value, as Envoy's RE2 full match does).</summary>
    public static bool Matches(StringMatcher matcher, string value)
    {
        ArgumentNullException.ThrowIfNull(matcher);
        ArgumentNullException.ThrowIfNull(value);
        var comparison = matcher.IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return matcher.MatchPatternCase switch
        {
            StringMatcher.MatchPatternOneofCase.Exact => string.Equals(value, matcher.Exact, comparison),
            StringMatcher.MatchPatternOneofCase.Prefix => value.StartsWith(matcher.Prefix, comparison),
            StringMatcher.MatchPatternOneofCase.Suffix => value.EndsWith(matcher.Suffix, comparison),
            StringMatcher.MatchPatternOneofCase.Contains => value.Contains(matcher.Contains, comparison),
            StringMatcher.MatchPatternOneofCase.SafeRegex => WholeValueMatches(matcher.SafeRegex.Regex, value, matcher.IgnoreCase),
            _ => false,
        };
    }

    // Regex's static cache keeps the compiled pattern: configs reuse a handful of them.
    private static bool WholeValueMatches(string pattern, string value, bool ignoreCase) =>
        Regex.IsMatch(value, $"^(?:{pattern})$", RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None));
}
