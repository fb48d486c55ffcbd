using Kmesh.Plugins.FaultInject;
using Kmesh.Plugins.RateLimit;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.Tests;

/// <summary>Runs the fault-injection and rate-limit translators and reads their maps back.</summary>
internal static class GovernanceTranslation
{
    public const string FaultsMap = "fi_faults";
    public const string RateLimitMap = "rl_config";

    public static TranslationOutput FaultInjection(MeshSnapshot snapshot)
    {
        var output = new TranslationOutput();
        new FaultInjectTranslator().Translate(snapshot, output);
        return output;
    }

    public static TranslationOutput RateLimiting(MeshSnapshot snapshot)
    {
        var output = new TranslationOutput();
        new RateLimitTranslator().Translate(snapshot, output);
        return output;
    }

    public static DesiredMap<uint, FaultEntry> Faults(this TranslationOutput output) =>
        output.Declared<uint, FaultEntry>(FaultsMap);

    public static DesiredMap<uint, RateLimitConfig> Buckets(this TranslationOutput output) =>
        output.Declared<uint, RateLimitConfig>(RateLimitMap);

    /// <summary>The share of a listener's connects refused, in parts per million (fails when there is no entry).</summary>
    public static uint AbortShareOf(this TranslationOutput output, MeshSnapshot snapshot, string listener)
    {
        Assert.True(output.Faults().TryGet(snapshot.Ids.ServiceId(listener), out var fault),
            $"no fi_faults entry for {listener}; diagnostics: {string.Join(" | ", output.Diagnostics)}");
        return fault.AbortPerMillion;
    }

    /// <summary>The bucket of a listener (fails when there is none).</summary>
    public static RateLimitConfig BucketOf(this TranslationOutput output, MeshSnapshot snapshot, string listener)
    {
        Assert.True(output.Buckets().TryGet(snapshot.Ids.ServiceId(listener), out var bucket),
            $"no rl_config entry for {listener}; diagnostics: {string.Join(" | ", output.Diagnostics)}");
        return bucket;
    }

    /// <summary>An HTTP fault filter (an http_filters element) with the given HTTPFault JSON members.</summary>
    public static string FaultFilter(string members) => $$"""
        {
          "name": "envoy.filters.http.fault",
          "typed_config": { "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault"{{(members.Trim().Length == 0 ? "" : ", " + members)}} }
        }
        """;

    /// <summary>An abort of <paramref name="numerator"/>/<paramref name="denominator"/> with HTTP 503.</summary>
    public static string Abort(uint numerator, string denominator = "HUNDRED") =>
        $$""" "abort": { "http_status": 503, "percentage": { "numerator": {{numerator}}, "denominator": "{{denominator}}" } } """;

    /// <summary>An HCM with the given http_filters before the router and a route_config (a JSON object).</summary>
    public static string Hcm(string routeConfig, params string[] httpFilters) => $$"""
        {
          "name": "envoy.filters.network.http_connection_manager",
          "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
            "stat_prefix": "http",
            "route_config": {{routeConfig}},
            "http_filters": [ {{string.Join(", ", httpFilters.Append("""{ "name": "envoy.filters.http.router", "typed_config": { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } }"""))}} ]
          }
        }
        """;

    /// <summary>One virtual host on "*" with one catch-all route to <paramref name="cluster"/>.</summary>
    public static string CatchAllRoutes(string cluster) => $$"""
        { "virtual_hosts": [ { "name": "all", "domains": ["*"], "routes": [ { "match": { "prefix": "/" }, "route": { "cluster": "{{cluster}}" } } ] } ] }
        """;

    /// <summary>A network local_ratelimit filter with the given token_bucket JSON object.</summary>
    public static string LocalRateLimitFilter(string tokenBucket, string extra = "") => $$"""
        {
          "name": "envoy.filters.network.local_ratelimit",
          "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit",
            "stat_prefix": "rl"{{extra}},
            "token_bucket": {{tokenBucket}}
          }
        }
        """;
}
