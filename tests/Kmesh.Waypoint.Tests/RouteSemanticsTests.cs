using Envoy.Config.Route.V3;
using Google.Protobuf;
using Kmesh.Waypoint.Routing;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Tests;

/// <summary>Envoy's matching rules, without sockets: virtual host by authority, route conditions.</summary>
public sealed class RouteSemanticsTests
{
    private static readonly VirtualHostRoutes A = new("a", "a", []), B = new("b", "b", []), C = new("c", "c", []), D = new("d", "d", []), Any = new("any", "any", []);

    [Theory]
    [InlineData("api.example.com", "a")]
    [InlineData("www.example.com", "b")]
    [InlineData("foo-bar.example.com", "c")]
    [InlineData("example.org", "d")]
    [InlineData("other", "any")]
    [InlineData(".example.com", "any")]
    [InlineData("api.example.com:8080", "any")]
    public void AnExactDomainBeatsTheLongestSuffixWhichBeatsPrefixesWhichBeatStar(string authority, string expected)
    {
        var selector = new HostSelector(
            [("*", Any), ("example.*", D), ("*.example.com", B), ("*-bar.example.com", C), ("api.example.com", A)],
            stripAnyPort: false, stripMatchingPort: false);

        Assert.Equal(expected, selector.Select(authority, 80)!.Name);
    }

    [Theory]
    [InlineData(false, true, "api.example.com:8080", 8080, "a")]
    [InlineData(false, true, "api.example.com:9090", 8080, "any")]
    [InlineData(true, false, "api.example.com:9090", 8080, "a")]
    public void PortsAreStrippedOnlyWhenTheConnectionManagerSaysSo(bool any, bool matching, string authority, int port, string expected)
    {
        var selector = new HostSelector([("api.example.com", A), ("*", Any)], any, matching);

        Assert.Equal(expected, selector.Select(authority, port)!.Name);
    }

    [Theory]
    [InlineData("""{"prefix": "/api"}""", "/api/v1", true)]
    [InlineData("""{"prefix": "/api"}""", "/API/v1", false)]
    [InlineData("""{"prefix": "/api", "case_sensitive": false}""", "/API/v1", true)]
    [InlineData("""{"path": "/api"}""", "/api?x=1", true)]
    [InlineData("""{"path": "/api"}""", "/api/", false)]
    [InlineData("""{"path_separated_prefix": "/api"}""", "/api/x", true)]
    [InlineData("""{"path_separated_prefix": "/api"}""", "/apix", false)]
    [InlineData("""{"safe_regex": {"regex": "/v[0-9]+/.*"}}""", "/v2/items", true)]
    [InlineData("""{"safe_regex": {"regex": "/v[0-9]+"}}""", "/v2/items", false)]
    [InlineData("""{"prefix": "/", "headers": [{"name": "x-env", "string_match": {"prefix": "prod"}}]}""", "/", true)]
    [InlineData("""{"prefix": "/", "headers": [{"name": "x-env", "string_match": {"exact": "prod"}}]}""", "/", false)]
    [InlineData("""{"prefix": "/", "headers": [{"name": "x-env", "exact_match": "production", "invert_match": true}]}""", "/", false)]
    [InlineData("""{"prefix": "/", "headers": [{"name": "x-missing", "present_match": true}]}""", "/", false)]
    [InlineData("""{"prefix": "/", "headers": [{"name": "x-missing", "present_match": false}]}""", "/", true)]
    [InlineData("""{"prefix": "/", "headers": [{"name": "x-missing", "string_match": {"exact": ""}, "treat_missing_header_as_empty": true}]}""", "/", true)]
    [InlineData("""{"prefix": "/", "query_parameters": [{"name": "debug", "present_match": true}]}""", "/?debug=1", true)]
    [InlineData("""{"prefix": "/", "query_parameters": [{"name": "user", "string_match": {"exact": "jason"}}]}""", "/?user=jason", true)]
    [InlineData("""{"prefix": "/", "query_parameters": [{"name": "user", "string_match": {"exact": "jason"}}]}""", "/?user=bob", false)]
    public void RouteConditionsMatchAsEnvoys(string matchJson, string pathAndQuery, bool expected)
    {
        var match = JsonParser.Default.Parse<RouteMatch>(matchJson);
        var condition = RouteCondition.From(match, "match");
        var context = new DefaultHttpContext();
        var query = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        context.Request.Path = query < 0 ? pathAndQuery : pathAndQuery[..query];
        context.Request.QueryString = query < 0 ? QueryString.Empty : new QueryString(pathAndQuery[query..]);
        context.Request.Headers["x-env"] = "production";

        Assert.Equal(expected, condition.Matches(RequestView.Of(context.Request)));
    }

    [Fact]
    public void AnUncompilableRegexIsReportedWithItsField()
    {
        var match = JsonParser.Default.Parse<RouteMatch>("""{"safe_regex": {"regex": "(unclosed"}}""");

        var problem = Assert.Throws<UnsupportedRouteException>(() => RouteCondition.From(match, "routes[0].match"));

        Assert.Equal("routes[0].match.safe_regex", problem.Field);
    }
}
