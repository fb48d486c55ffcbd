using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Routing;

/// <summary>What route matching reads of a request, as Envoy sees it.</summary>
/// <param name="Path">The path without the query string (what <c>path</c> and <c>safe_regex</c> match).</param>
/// <param name="PathAndQuery">The whole <c>:path</c> (what <c>prefix</c> matches, as in Envoy).</param>
internal readonly record struct RequestView(string Path, string PathAndQuery, IQueryCollection Query, IHeaderDictionary Headers)
{
    public static RequestView Of(HttpRequest request)
    {
        var path = request.PathBase.Add(request.Path).Value is { Length: > 0 } p ? p : "/";
        return new(path, path + request.QueryString.Value, request.Query, request.Headers);
    }
}
