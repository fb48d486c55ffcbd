using System.Text.RegularExpressions;
using Envoy.Config.Route.V3;
using Envoy.Type.Matcher.V3;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// A route's path rewrite, for the proxied request (<c>route.prefix_rewrite</c> /
/// <c>regex_rewrite</c>) or a redirect's location (<c>redirect.prefix_rewrite</c> /
/// <c>regex_rewrite</c>), as Envoy applies it to the path without its query.
/// </summary>
/// <param name="Prefix">What replaces the matched prefix.</param>
/// <param name="MatchedPrefix">The route's <c>prefix</c> or <c>path</c>: what <paramref name="Prefix"/> replaces.</param>
internal sealed record PathRewrite(string? Prefix, (Regex Pattern, string Substitution)? Regex, string MatchedPrefix)
{
    /// <summary>The rewrite, or null when neither is set.</summary>
    /// <param name="field">Where the rewrite is, for the report of a regex that does not compile.</param>
    public static PathRewrite? From(string prefix, RegexMatchAndSubstitute? regex, RouteMatch? match, string field)
    {
        if (prefix.Length == 0 && regex is null)
            return null;
        (Regex, string)? compiled = null;
        if (regex is not null)
        {
            try
            {
                compiled = (new Regex(regex.Pattern.Regex, RegexOptions.NonBacktracking | RegexOptions.CultureInvariant), DotNetSubstitution(regex.Substitution));
            }
            catch (ArgumentException e)
            {
                throw new UnsupportedRouteException($"{field}.regex_rewrite", $"regex '{regex.Pattern.Regex}' does not compile: {e.Message}");
            }
        }
        var matched = match?.PathSpecifierCase switch
        {
            RouteMatch.PathSpecifierOneofCase.Prefix => match.Prefix,
            RouteMatch.PathSpecifierOneofCase.Path => match.Path,
            RouteMatch.PathSpecifierOneofCase.PathSeparatedPrefix => match.PathSeparatedPrefix,
            _ => "",
        };
        return new PathRewrite(prefix.Length > 0 ? prefix : null, compiled, matched);
    }

    /// <summary><paramref name="path"/> (no query) with the prefix or regex rewrite applied.</summary>
    public string Apply(string path)
    {
        if (Prefix is not null && path.StartsWith(MatchedPrefix, StringComparison.OrdinalIgnoreCase))
            return Prefix + path[MatchedPrefix.Length..];
        if (Regex is { } rewrite)
            return rewrite.Pattern.Replace(path, rewrite.Substitution);
        return path;
    }

    /// <summary>
    /// Envoy's substitution is RE2's: <c>\1</c> for a group, <c>\\</c> for a backslash, <c>$</c>
    /// literal. .NET's replacement syntax is <c>${1}</c> with <c>$$</c> for a dollar sign.
    /// </summary>
    private static string DotNetSubstitution(string re2)
    {
        var text = new System.Text.StringBuilder(re2.Length + 8);
        for (var i = 0; i < re2.Length; i++)
        {
            var c = re2[i];
            if (c == '\\' && i + 1 < re2.Length && char.IsAsciiDigit(re2[i + 1]))
                text.Append("${").Append(re2[++i]).Append('}');
            else if (c == '\\' && i + 1 < re2.Length && re2[i + 1] == '\\')
                text.Append(re2[++i]);
            else if (c == '$')
                text.Append("$$");
            else
                text.Append(c);
        }
        return text.ToString();
    }
}
