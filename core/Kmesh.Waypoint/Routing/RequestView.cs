using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Routing;

/// <summary>What route matching reads of a request, as Envoy sees it.</summary>
/// <param name="Path">The path without the query string (what <c>path</c> and <c>safe_regex</c> match).</param>
/// <param name="PathAndQuery">The whole <c>:path</c> (what <c>prefix</c> matches, as in Envoy).</param>
/// <param name="RandomValue">The request's one random draw, which every route's <c>runtime_fraction</c> reads (as Envoy's stream does: two routes of 50% each do not add up to 75%).</param>
internal readonly record struct RequestView(string Path, string PathAndQuery, IQueryCollection Query, IHeaderDictionary Headers, ulong RandomValue)
{
    public static RequestView Of(HttpRequest request)
    {
        var path = request.PathBase.Add(request.Path).Value is { Length: > 0 } p ? p : "/";
        return new(path, path + request.QueryString.Value, request.Query, request.Headers, (ulong)Random.Shared.NextInt64(long.MaxValue));
    }
}
