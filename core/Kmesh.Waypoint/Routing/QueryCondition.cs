using Envoy.Config.Route.V3;

namespace Kmesh.Waypoint.Routing;

/// <summary>Envoy's <c>QueryParameterMatcher</c>: the parameter present, or its (first) value matched.</summary>
internal sealed class QueryCondition(string name, TextCondition? value)
{
    public static QueryCondition From(QueryParameterMatcher matcher, string field) => matcher.QueryParameterMatchSpecifierCase switch
    {
        QueryParameterMatcher.QueryParameterMatchSpecifierOneofCase.StringMatch => new(matcher.Name, TextCondition.From(matcher.StringMatch, $"{field}.string_match")),
        QueryParameterMatcher.QueryParameterMatchSpecifierOneofCase.PresentMatch when matcher.PresentMatch => new(matcher.Name, null),
        _ => throw new UnsupportedRouteException(field, "a query parameter matcher needs string_match or present_match: true"),
    };

    public bool Matches(in RequestView request) =>
        request.Query.TryGetValue(name, out var values) && (value is null || value.Matches(values.Count > 0 ? values[0] : ""));
}
