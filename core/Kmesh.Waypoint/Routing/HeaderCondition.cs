using Envoy.Config.Route.V3;
using Envoy.Type.Matcher.V3;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// Envoy's <c>HeaderMatcher</c>: a header present (or absent), or its value matched; with
/// <c>invert_match</c> and <c>treat_missing_header_as_empty</c>. Several values of one header
/// are joined with commas before matching, as Envoy does.
/// </summary>
internal sealed class HeaderCondition
{
    private readonly string _name;
    private readonly TextCondition? _value;
    private readonly bool _present;
    private readonly bool _invert;
    private readonly bool _missingIsEmpty;

    private HeaderCondition(string name, TextCondition? value, bool present, bool invert, bool missingIsEmpty)
    {
        _name = name;
        _value = value;
        _present = present;
        _invert = invert;
        _missingIsEmpty = missingIsEmpty;
    }

    public static HeaderCondition From(HeaderMatcher matcher, string field)
    {
        // Envoy's pseudo-headers: :authority is the Host header in ASP.NET Core; :method and :path are not headers there.
        var name = matcher.Name.Equals(":authority", StringComparison.OrdinalIgnoreCase) ? "Host" : matcher.Name;
        if (name.StartsWith(':'))
            throw new UnsupportedRouteException(field, $"pseudo-header {matcher.Name} is not supported");
        // The legacy *_match fields are deprecated in Envoy's API but still honoured by Envoy, and common in real configs.
#pragma warning disable CS0612
        TextCondition? value = matcher.HeaderMatchSpecifierCase switch
        {
            HeaderMatcher.HeaderMatchSpecifierOneofCase.None => null,
            HeaderMatcher.HeaderMatchSpecifierOneofCase.PresentMatch => null,
            HeaderMatcher.HeaderMatchSpecifierOneofCase.ExactMatch => TextCondition.Exactly(matcher.ExactMatch),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.PrefixMatch => TextCondition.Of(StringMatcher.MatchPatternOneofCase.Prefix, matcher.PrefixMatch),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.SuffixMatch => TextCondition.Of(StringMatcher.MatchPatternOneofCase.Suffix, matcher.SuffixMatch),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.ContainsMatch => TextCondition.Of(StringMatcher.MatchPatternOneofCase.Contains, matcher.ContainsMatch),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.SafeRegexMatch => TextCondition.Regex(matcher.SafeRegexMatch.Regex, field),
            HeaderMatcher.HeaderMatchSpecifierOneofCase.StringMatch => TextCondition.From(matcher.StringMatch, $"{field}.string_match"),
            _ => throw new UnsupportedRouteException(field, $"header matcher {matcher.HeaderMatchSpecifierCase} is not supported"),
        };
#pragma warning restore CS0612
        // present_match: false asks for the header's absence (inverted presence).
        var present = matcher.HeaderMatchSpecifierCase != HeaderMatcher.HeaderMatchSpecifierOneofCase.PresentMatch || matcher.PresentMatch;
        return new HeaderCondition(name, value, present, matcher.InvertMatch, matcher.TreatMissingHeaderAsEmpty);
    }

    public bool Matches(in RequestView request)
    {
        var found = request.Headers.TryGetValue(_name, out var values);
        bool result;
        if (_value is null)
            result = found == _present;
        else if (!found && !_missingIsEmpty)
            result = false;
        else
            result = _value.Matches(found ? values.ToString() : "");
        return result != _invert;
    }
}
