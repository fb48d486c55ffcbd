using Envoy.Config.Route.V3;
using Envoy.Type.Matcher.V3;
using Kmesh.Sdk.Waypoint;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Sdk.Tests;

/// <summary>Envoy's header matcher semantics as plugins' L7 parts read them.</summary>
public sealed class HeaderMatchersTests
{
    private static readonly HeaderDictionary Headers = new()
    {
        ["x-user"] = "Alice",
        ["x-tags"] = new Microsoft.Extensions.Primitives.StringValues(["a", "b"]),
    };

    public static TheoryData<string, bool> Cases => new()
    {
        { """{"name": "x-user", "exact_match": "Alice"}""", true },
        { """{"name": "x-user", "exact_match": "alice"}""", false },
        { """{"name": "x-user", "string_match": {"exact": "alice", "ignore_case": true}}""", true },
        { """{"name": "x-user", "safe_regex_match": {"regex": "Al"}}""", false },
        { """{"name": "x-user", "safe_regex_match": {"regex": "Al.*"}}""", true },
        { """{"name": "x-user", "string_match": {"safe_regex": {"regex": "al.*"}, "ignore_case": true}}""", true },
        { """{"name": "x-user", "prefix_match": "Al", "invert_match": true}""", false },
        { """{"name": "x-missing", "exact_match": "x", "invert_match": true}""", true },
        { """{"name": "x-missing", "present_match": false}""", true },
        { """{"name": "x-user"}""", true },
        { """{"name": "x-tags", "exact_match": "a,b"}""", true },
        { """{"name": "x-tags", "contains_match": ",b"}""", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesAsEnvoyDoes(string matcherJson, bool expected)
    {
        var matcher = Google.Protobuf.JsonParser.Default.Parse<HeaderMatcher>(matcherJson);
        Assert.Equal(expected, HeaderMatchers.Matches(matcher, Headers));
    }

    [Fact]
    public void AStringMatcherWithoutAPatternMatchesNothing() =>
        Assert.False(HeaderMatchers.Matches(new StringMatcher(), "anything"));
}
