using Envoy.Config.Cluster.V3;
using Kmesh.Plugins.CircuitBreaker;
using Kmesh.Sdk.Translation;
using static Kmesh.Plugins.Tests.CircuitBreakerTranslation;

namespace Kmesh.Plugins.Tests;

/// <summary>outlier_detection as the consecutive connect failures that eject an endpoint.</summary>
public class OutlierDetectionTranslatorTests
{
    private static readonly string[] Three = ["10.0.2.1:9080", "10.0.2.2:9080", "10.0.2.3:9080"];
    private const ulong Second = 1_000_000_000;

    private static Kmesh.Sdk.Snapshot.MeshSnapshot Detected(string detection) =>
        new SnapshotBuilder().Cluster(GuardedCluster("flaky", $$""" "outlier_detection": {{detection}} """, Three)).Build();

    private static OutlierSettings SettingsOf(string detection)
    {
        var snapshot = Detected(detection);
        return CircuitBreaking(snapshot).OutlierOf(snapshot, "flaky");
    }

    [Fact]
    public void EmptyOutlierDetection_TakesEnvoysDefaults()
    {
        var snapshot = Detected("{}");

        var output = CircuitBreaking(snapshot);

        output.AssertNoDiagnostics();
        var settings = output.OutlierOf(snapshot, "flaky");
        Assert.Equal(5u, settings.Consecutive);
        Assert.Equal(100u, settings.Enforcing);
        Assert.Equal(10u, settings.MaxEjectionPercent);
        Assert.Equal(3u, settings.Endpoints);
        Assert.Equal(30 * Second, settings.BaseEjectionNs);
        Assert.Equal(300 * Second, settings.MaxEjectionNs);
        Assert.Equal(10 * Second, settings.IntervalNs);
        Assert.Equal(0UL, settings.JitterNs);
        Assert.Equal(OutlierFlags.None, settings.Flags);
        Assert.Equal(0, output.Limits().Count);
    }

    [Fact]
    public void WithoutSplit_ConnectFailuresCountAsConsecutive5xx()
    {
        var settings = SettingsOf("""{ "consecutive_5xx": 3, "enforcing_consecutive_5xx": 60 }""");

        Assert.Equal(3u, settings.Consecutive);
        Assert.Equal(60u, settings.Enforcing);
    }

    [Fact]
    public void WithoutSplit_AnEnforcedGatewayDetectorWithASmallerThresholdFiresFirst()
    {
        Assert.Equal((2u, 80u), Pair(SettingsOf("""{ "consecutive_gateway_failure": 2, "enforcing_consecutive_gateway_failure": 80 }""")));
        // Not enforced by default: the 5xx detector's default decides.
        Assert.Equal((5u, 100u), Pair(SettingsOf("""{ "consecutive_gateway_failure": 2 }""")));
        // A larger enforced threshold never fires first.
        Assert.Equal((4u, 100u), Pair(SettingsOf("""{ "consecutive_5xx": 4, "consecutive_gateway_failure": 9, "enforcing_consecutive_gateway_failure": 100 }""")));
    }

    [Fact]
    public void WithSplit_ConnectFailuresAreLocalOriginFailures()
    {
        var snapshot = Detected("""
            { "split_external_local_origin_errors": true, "consecutive_local_origin_failure": 3,
              "enforcing_consecutive_local_origin_failure": 50, "consecutive_5xx": 1 }
            """);

        var output = CircuitBreaking(snapshot);

        Assert.Equal((3u, 50u), Pair(output.OutlierOf(snapshot, "flaky")));
        Assert.Equal("outlier_detection.consecutive_5xx", output.AssertDiagnostic(DiagnosticSeverity.Info, "cluster flaky", "L7").Field);
    }

    [Fact]
    public void WithSplit_LocalOriginDefaults()
    {
        Assert.Equal((5u, 100u), Pair(SettingsOf("""{ "split_external_local_origin_errors": true }""")));
    }

    [Fact]
    public void LocalOriginThresholdWithoutSplit_IsSaidToHaveNoEffect()
    {
        var snapshot = Detected("""{ "consecutive_local_origin_failure": 2 }""");

        var output = CircuitBreaking(snapshot);

        Assert.Equal(5u, output.OutlierOf(snapshot, "flaky").Consecutive);
        Assert.Equal("outlier_detection.consecutive_local_origin_failure", output.AssertDiagnostic(DiagnosticSeverity.Info, "cluster flaky", "split").Field);
    }

    [Theory]
    [InlineData("""{ "enforcing_consecutive_5xx": 0 }""")]
    [InlineData("""{ "split_external_local_origin_errors": true, "enforcing_consecutive_local_origin_failure": 0 }""")]
    [InlineData("""{ "max_ejection_percent": 0 }""")]
    public void NothingCouldEverBeEjected_NoEntry_AndAnInfoSaysWhy(string detection)
    {
        var snapshot = Detected(detection);

        var output = CircuitBreaking(snapshot);

        Assert.Equal(0, output.Outliers().Count);
        output.AssertDiagnostic(DiagnosticSeverity.Info, "cluster flaky", "ever");
    }

    [Fact]
    public void AlwaysEjectOneHost_IsAFlag_AndKeepsAZeroPercentUseful()
    {
        var settings = SettingsOf("""{ "max_ejection_percent": 0, "always_eject_one_host": true }""");

        Assert.Equal(OutlierFlags.AlwaysEjectOne, settings.Flags);
        Assert.Equal(0u, settings.MaxEjectionPercent);
    }

    [Fact]
    public void EjectionTimes_CapNeverBelowBase_IntervalAndJitterInNanoseconds()
    {
        var settings = SettingsOf("""{ "base_ejection_time": "2s", "max_ejection_time": "1s", "interval": "0.5s", "max_ejection_time_jitter": "0.1s" }""");

        Assert.Equal(2 * Second, settings.BaseEjectionNs);
        Assert.Equal(2 * Second, settings.MaxEjectionNs);
        Assert.Equal(Second / 2, settings.IntervalNs);
        Assert.Equal(Second / 10, settings.JitterNs);
    }

    [Theory]
    [InlineData("max_ejection_percent")]
    [InlineData("enforcing_consecutive_5xx")]
    [InlineData("enforcing_consecutive_gateway_failure")]
    [InlineData("enforcing_consecutive_local_origin_failure")]
    [InlineData("enforcing_success_rate")]
    [InlineData("failure_percentage_threshold")]
    public void PercentageOver100_IsAnErrorNamingTheField_TheClustersLimitsAndOtherClustersKeepApplying(string field)
    {
        var snapshot = new SnapshotBuilder()
            .Cluster(GuardedCluster("bad", $$"""
                "outlier_detection": { "{{field}}": 101 }, "circuit_breakers": { "thresholds": [ { "max_connections": 3 } ] }
                """, Three))
            .Cluster(GuardedCluster("good", """ "outlier_detection": { "consecutive_5xx": 2 } """, "10.0.3.1:9080"))
            .Build();

        var output = CircuitBreaking(snapshot);

        Assert.Equal($"outlier_detection.{field}", output.AssertDiagnostic(DiagnosticSeverity.Error, "cluster bad", "more than 100%").Field);
        Assert.False(output.Outliers().TryGet(snapshot.Ids.ClusterId("bad"), out _));
        Assert.Equal(3u, output.LimitsOf(snapshot, "bad").MaxConnections);
        Assert.Equal(2u, output.OutlierOf(snapshot, "good").Consecutive);
    }

    [Theory]
    [InlineData("interval", "0s", "greater than 0")]
    [InlineData("base_ejection_time", "0s", "greater than 0")]
    [InlineData("max_ejection_time", "0s", "greater than 0")]
    [InlineData("base_ejection_time", "-1s", "negative")]
    [InlineData("max_ejection_time_jitter", "-0.5s", "negative")]
    [InlineData("interval", "315576000000s", "too long")]
    public void InvalidDuration_IsAnErrorNamingTheField(string field, string value, string text)
    {
        var snapshot = Detected($$"""{ "{{field}}": "{{value}}" }""");

        var output = CircuitBreaking(snapshot);

        Assert.Equal($"outlier_detection.{field}", output.AssertDiagnostic(DiagnosticSeverity.Error, "cluster flaky", text).Field);
        Assert.Equal(0, output.Outliers().Count);
    }

    // Envoy accepts 0 and never fires that detector; Envoy Gateway sends consecutiveGatewayFailure: 0.
    [Theory]
    [InlineData("""{ "consecutive_5xx": 0 }""", "consecutive_5xx", null)]
    [InlineData("""{ "consecutive_gateway_failure": 0, "enforcing_consecutive_gateway_failure": 100 }""", "consecutive_gateway_failure", 5u)]
    [InlineData("""{ "split_external_local_origin_errors": true, "consecutive_local_origin_failure": 0 }""", "consecutive_local_origin_failure", null)]
    public void ZeroThreshold_TurnsThatDetectorOff_AsInEnvoy_WithAnInfo(string detection, string field, uint? consecutive)
    {
        var snapshot = Detected(detection);

        var output = CircuitBreaking(snapshot);

        Assert.Equal($"outlier_detection.{field}", output.AssertDiagnostic(DiagnosticSeverity.Info, "cluster flaky", "never ejects").Field);
        Assert.DoesNotContain(output.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        if (consecutive is null)
            Assert.Equal(0, output.Outliers().Count);
        else
            Assert.Equal(consecutive, output.OutlierOf(snapshot, "flaky").Consecutive);
    }

    [Fact]
    public void StatisticalDetectors_AreWarnedAsNotApplied_ConsecutiveFailuresStillAre()
    {
        var snapshot = Detected("""{ "success_rate_minimum_hosts": 3, "enforcing_failure_percentage": 50 }""");

        var output = CircuitBreaking(snapshot);

        Assert.Equal("outlier_detection", output.AssertDiagnostic(DiagnosticSeverity.Warning, "cluster flaky", "not applied").Field);
        Assert.Equal(5u, output.OutlierOf(snapshot, "flaky").Consecutive);
    }

    [Fact]
    public void EndpointCount_IsEveryDistinctHostOfEveryPriority_WhateverItsHealth()
    {
        var snapshot = new SnapshotBuilder()
            .Cluster(Resources.EdsCluster("flaky"))
            .Endpoints("flaky", Resources.LoadAssignment($$"""
                {
                  "cluster_name": "flaky",
                  "endpoints": [
                    { "lb_endpoints": [ {{Resources.LbEndpoint("10.0.4.1:9080")}}, {{Resources.LbEndpoint("10.0.4.2:9080", health: "UNHEALTHY")}},
                                        {{Resources.LbEndpoint("10.0.4.1:9080")}} ] },
                    { "priority": 1, "lb_endpoints": [ {{Resources.LbEndpoint("10.0.4.3:9080")}}, {{Resources.LbEndpoint("10.0.4.4:9090")}} ] }
                  ]
                }
                """))
            .Build();
        var cluster = Resources.EdsCluster("flaky");
        cluster.OutlierDetection = new OutlierDetection();
        var detected = new Kmesh.Sdk.Snapshot.MeshSnapshot("1", [], [cluster], snapshot.Endpoints, [], snapshot.Ids);

        var settings = CircuitBreaking(detected).OutlierOf(detected, "flaky");

        Assert.Equal(4u, settings.Endpoints);
    }

    private static (uint Consecutive, uint Enforcing) Pair(OutlierSettings settings) => (settings.Consecutive, settings.Enforcing);
}
