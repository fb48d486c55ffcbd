using Kmesh.Sdk.Translation;
using static Kmesh.Plugins.Tests.GovernanceTranslation;
using static Kmesh.Plugins.Tests.Resources;

namespace Kmesh.Plugins.Tests;

public class RateLimitTranslatorTests
{
    private const string Vip = "127.10.0.10";

    private static Kmesh.Sdk.Snapshot.MeshSnapshot Limited(string tokenBucket, string extra = "") => new SnapshotBuilder()
        .Listener(ListenerWith("limited", Vip, 9080, LocalRateLimitFilter(tokenBucket, extra) + ", " + TcpProxyFilter("limited")))
        .Build();

    [Fact]
    public void TokenBucket_BecomesTheServicesConfig()
    {
        var snapshot = Limited("""{ "max_tokens": 10, "tokens_per_fill": 5, "fill_interval": "1s" }""");

        var output = RateLimiting(snapshot);

        output.AssertNoDiagnostics();
        var bucket = output.BucketOf(snapshot, "limited");
        Assert.Equal(10u, bucket.MaxTokens);
        Assert.Equal(5u, bucket.TokensPerFill);
        Assert.Equal(1_000_000_000UL, bucket.FillIntervalNs);
    }

    [Fact]
    public void ConnectWork_IsDeclaredForLimitedServicesOnly()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(ListenerWith("limited", Vip, 9080, LocalRateLimitFilter("""{ "max_tokens": 10, "fill_interval": "1s" }""") + ", " + TcpProxyFilter("limited")))
            .Listener(ListenerWith("free", "127.10.0.11", 9080, TcpProxyFilter("free")))
            .Build();

        var work = RateLimiting(snapshot).DeclaredConnectWork;

        // Declared, so the chain passes over ratelimit for 'free' (chain ABI 1.4).
        Assert.NotNull(work);
        Assert.Equal([snapshot.Ids.ServiceId("limited")], work.Services);
    }

    [Fact]
    public void TokensPerFillAbsent_DefaultsToOne_AndFractionalIntervalsKeepTheirNanoseconds()
    {
        var snapshot = Limited("""{ "max_tokens": 3, "fill_interval": "1.5s" }""");

        var bucket = RateLimiting(snapshot).BucketOf(snapshot, "limited");

        Assert.Equal(1u, bucket.TokensPerFill);
        Assert.Equal(1_500_000_000UL, bucket.FillIntervalNs);
    }

    [Theory]
    [InlineData("""{ "max_tokens": 0, "fill_interval": "1s" }""", "token_bucket.max_tokens")]
    [InlineData("""{ "max_tokens": 5, "tokens_per_fill": 0, "fill_interval": "1s" }""", "token_bucket.tokens_per_fill")]
    [InlineData("""{ "max_tokens": 5, "fill_interval": "0s" }""", "token_bucket.fill_interval")]
    [InlineData("""{ "max_tokens": 5, "fill_interval": "0.010s" }""", "token_bucket.fill_interval")]
    [InlineData("""{ "max_tokens": 5 }""", "token_bucket.fill_interval")]
    public void InvalidBucket_IsAnErrorNamingTheField_AndOtherListenersKeepTheirLimit(string tokenBucket, string field)
    {
        var snapshot = new SnapshotBuilder()
            .Listener(ListenerWith("bad", "127.10.0.11", 9080, LocalRateLimitFilter(tokenBucket) + ", " + TcpProxyFilter("bad")))
            .Listener(ListenerWith("good", Vip, 9080, LocalRateLimitFilter("""{ "max_tokens": 2, "fill_interval": "1s" }""") + ", " + TcpProxyFilter("good")))
            .Build();

        var output = RateLimiting(snapshot);

        var error = output.AssertDiagnostic(DiagnosticSeverity.Error, "listener bad");
        Assert.Equal($"filter_chains[0].filters[0].typed_config.{field}", error.Field);
        Assert.False(output.Buckets().TryGet(snapshot.Ids.ServiceId("bad"), out _));
        Assert.Equal(2u, output.BucketOf(snapshot, "good").MaxTokens);
    }

    [Fact]
    public void RuntimeDisabledByDefault_NotApplied()
    {
        var snapshot = Limited("""{ "max_tokens": 1, "fill_interval": "1s" }""",
            """, "runtime_enabled": { "default_value": false, "runtime_key": "rl.enabled" }""");

        var output = RateLimiting(snapshot);

        Assert.Equal(0, output.Buckets().Count);
        output.AssertDiagnostic(DiagnosticSeverity.Info, "listener limited", "disabled");
    }

    [Fact]
    public void HttpLocalRateLimit_IsReportedAsNeedingL7InTheWaypoint_NoEntry()
    {
        var httpLimit = """
            { "name": "envoy.filters.http.local_ratelimit", "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
                "stat_prefix": "http_rl", "token_bucket": { "max_tokens": 1, "fill_interval": "1s" } } }
            """;
        var snapshot = new SnapshotBuilder().Listener(ListenerWith("web", Vip, 9080, Hcm(CatchAllRoutes("web"), httpLimit))).Build();

        var output = RateLimiting(snapshot);

        Assert.Equal(0, output.Buckets().Count);
        var warning = output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener web", "needs L7");
        Assert.EndsWith("http_filters[0]", warning.Field);
        // The kernel leaves it to the plugin's L7 part, and says where it applies instead.
        Assert.Contains("applied per request by the waypoint", warning.Message);
    }

    [Fact]
    public void NetworkLimitInFrontOfAnHttpConnectionManager_Applies()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(ListenerWith("web", Vip, 9080, LocalRateLimitFilter("""{ "max_tokens": 4, "fill_interval": "2s" }""") + ", " + Hcm(CatchAllRoutes("web"))))
            .Build();

        Assert.Equal(4u, RateLimiting(snapshot).BucketOf(snapshot, "web").MaxTokens);
    }

    [Fact]
    public void WildcardListener_IsNotAService_NoEntry()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(ListenerWith("outbound", "0.0.0.0", 15001, LocalRateLimitFilter("""{ "max_tokens": 4, "fill_interval": "1s" }""") + ", " + TcpProxyFilter("x")))
            .Build();

        Assert.Equal(0, RateLimiting(snapshot).Buckets().Count);
    }

    [Fact]
    public void Translate_SameSnapshotTwice_IdenticalBytes()
    {
        var snapshot = Limited("""{ "max_tokens": 10, "tokens_per_fill": 5, "fill_interval": "1s" }""");

        Assert.Equal(RateLimiting(snapshot).Dump(), RateLimiting(snapshot).Dump());
    }
}
