using Envoy.Config.Route.V3;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// A route's <c>match</c>: the path specifier (prefix, path, safe_regex, path_separated_prefix,
/// honouring <c>case_sensitive</c>), then every header and query parameter condition, and
/// <c>grpc</c> (a gRPC content type), and <c>runtime_fraction</c> (its <c>default_value</c>: runtime
/// keys are Envoy's own) on the request's random draw.
/// </summary>
internal sealed class RouteCondition
{
    private readonly RouteMatch.PathSpecifierOneofCase _kind;
    private readonly string _path;
    private readonly TextCondition? _regex;
    private readonly StringComparison _comparison;
    private readonly HeaderCondition[] _headers;
    private readonly QueryCondition[] _query;
    private readonly bool _grpcOnly;
    private readonly (ulong Numerator, ulong Denominator)? _fraction;

    private RouteCondition(RouteMatch match, TextCondition? regex, HeaderCondition[] headers, QueryCondition[] query)
    {
        _fraction = match.RuntimeFraction is { } runtime ? Fraction(runtime.DefaultValue) : null;
        _kind = match.PathSpecifierCase;
        _path = match.PathSpecifierCase switch
        {
            RouteMatch.PathSpecifierOneofCase.Prefix => match.Prefix,
            RouteMatch.PathSpecifierOneofCase.Path => match.Path,
            RouteMatch.PathSpecifierOneofCase.PathSeparatedPrefix => match.PathSeparatedPrefix,
            _ => "",
        };
        _regex = regex;
        _comparison = match.CaseSensitive is false ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        _headers = headers;
        _query = query;
        _grpcOnly = match.Grpc is not null;
    }

    public static RouteCondition From(RouteMatch match, string field)
    {
        TextCondition? regex = null;
        switch (match.PathSpecifierCase)
        {
            case RouteMatch.PathSpecifierOneofCase.Prefix:
            case RouteMatch.PathSpecifierOneofCase.Path:
            case RouteMatch.PathSpecifierOneofCase.PathSeparatedPrefix:
                break;
            case RouteMatch.PathSpecifierOneofCase.SafeRegex:
                regex = TextCondition.Regex(match.SafeRegex.Regex, $"{field}.safe_regex");
                break;
            default:
                throw new UnsupportedRouteException(field, $"path specifier {match.PathSpecifierCase} is not supported");
        }
        if (match.DynamicMetadata.Count > 0 || match.TlsContext is not null)
            throw new UnsupportedRouteException(field, "dynamic_metadata and tls_context matches are not supported");
        var headers = match.Headers.Select((h, i) => HeaderCondition.From(h, $"{field}.headers[{i}]")).ToArray();
        var query = match.QueryParameters.Select((q, i) => QueryCondition.From(q, $"{field}.query_parameters[{i}]")).ToArray();
        return new RouteCondition(match, regex, headers, query);
    }

    public bool Matches(in RequestView request)
    {
        if (!PathMatches(request))
            return false;
        if (_grpcOnly && !request.Headers.ContentType.ToString().StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
            return false;
        foreach (var header in _headers)
            if (!header.Matches(request))
                return false;
        foreach (var parameter in _query)
            if (!parameter.Matches(request))
                return false;
        return _fraction is not { } share || request.RandomValue % share.Denominator < share.Numerator;
    }

    /// <summary>A <c>FractionalPercent</c> as Envoy reads it; unset is 0%.</summary>
    private static (ulong, ulong) Fraction(global::Envoy.Type.V3.FractionalPercent? percent) => percent is null ? (0, 100) : (percent.Numerator, percent.Denominator switch
    {
        global::Envoy.Type.V3.FractionalPercent.Types.DenominatorType.TenThousand => 10_000UL,
        global::Envoy.Type.V3.FractionalPercent.Types.DenominatorType.Million => 1_000_000UL,
        _ => 100UL,
    });

    private bool PathMatches(in RequestView request) => _kind switch
    {
        RouteMatch.PathSpecifierOneofCase.Prefix => request.PathAndQuery.StartsWith(_path, _comparison),
        RouteMatch.PathSpecifierOneofCase.Path => request.Path.Equals(_path, _comparison),
        RouteMatch.PathSpecifierOneofCase.PathSeparatedPrefix => request.Path.StartsWith(_path, _comparison)
            && (request.Path.Length == _path.Length || request.Path[_path.Length] == '/'),
        _ => _regex!.Matches(request.Path),
    };
}
