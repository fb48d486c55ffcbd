using Kmesh.Sdk.Translation;
using static Kmesh.Plugins.Tests.CircuitBreakerTranslation;

namespace Kmesh.Plugins.Tests;

/// <summary>circuit_breakers.thresholds (DEFAULT priority) as node-wide connection limits.</summary>
public class CircuitBreakerThresholdsTests
{
    private const string Endpoint = "10.0.1.1:9080";

    private static Kmesh.Sdk.Snapshot.MeshSnapshot OneCluster(string members) =>
        new SnapshotBuilder().Cluster(GuardedCluster("capped", members, Endpoint)).Build();

    [Fact]
    public void DefaultThresholds_BecomeTheClustersLimits()
    {
        var snapshot = OneCluster(""" "circuit_breakers": { "thresholds": [ { "max_connections": 3, "max_pending_requests": 2 } ] } """);

        var output = CircuitBreaking(snapshot);

        output.AssertNoDiagnostics();
        var limits = output.LimitsOf(snapshot, "capped");
        Assert.Equal(3u, limits.MaxConnections);
        Assert.Equal(2u, limits.MaxPending);
        Assert.Equal(0, output.Outliers().Count);
    }

    // Envoy's 1024 default is per proxy; node-wide it would cap every workload of the node together.
    [Theory]
    [InlineData("""{ "max_connections": 7 }""", 7u, uint.MaxValue)]
    [InlineData("""{ "max_pending_requests": 9 }""", uint.MaxValue, 9u)]
    public void UnsetFieldsOfThePresentDefaultThresholds_AreNoLimit(string thresholds, uint maxConnections, uint maxPending)
    {
        var snapshot = OneCluster($$""" "circuit_breakers": { "thresholds": [ {{thresholds}} ] } """);

        var limits = CircuitBreaking(snapshot).LimitsOf(snapshot, "capped");

        Assert.Equal(maxConnections, limits.MaxConnections);
        Assert.Equal(maxPending, limits.MaxPending);
    }

    [Fact]
    public void DefaultThresholdsWithOnlyRetries_AsEnvoyGatewaySends_LimitNothing_AndSaySo()
    {
        var snapshot = OneCluster(""" "circuit_breakers": { "thresholds": [ { "max_retries": 1024 } ] } """);

        var output = CircuitBreaking(snapshot);

        Assert.Equal(0, output.Limits().Count);
        output.AssertDiagnostic(DiagnosticSeverity.Info, "cluster capped", "not limited");
    }

    // The connect programs only read cb_limits: a route to clusters without limits skips them (chain ABI 1.4).
    [Fact]
    public void ConnectWork_IsTheClustersWithLimits_AndNoService()
    {
        var snapshot = new SnapshotBuilder()
            .Cluster(GuardedCluster("capped", """ "circuit_breakers": { "thresholds": [ { "max_connections": 3 } ] } """, Endpoint))
            .Cluster(GuardedCluster("retries", """ "circuit_breakers": { "thresholds": [ { "max_retries": 3 } ] } """, Endpoint))
            .Cluster(GuardedCluster("ejecting", """ "outlier_detection": { "consecutive_5xx": 2 } """, Endpoint))
            .Cluster(GuardedCluster("plain", "", Endpoint))
            .Build();

        var work = CircuitBreaking(snapshot).DeclaredConnectWork;

        Assert.NotNull(work);
        Assert.Empty(work.Services);
        // Outlier detection is the sockops program's and loadbalance's: no connect work.
        Assert.Equal([snapshot.Ids.ClusterId("capped")], work.Clusters);
    }

    [Fact]
    public void NoLimitAnywhere_StillDeclaresWork_SoThatTheChainSkipsItEverywhere()
    {
        var work = CircuitBreaking(OneCluster("")).DeclaredConnectWork;

        Assert.NotNull(work);
        Assert.Empty(work.Services);
        Assert.Empty(work.Clusters);
    }

    [Fact]
    public void NoCircuitBreakers_NoLimitAtAll_AndNothingToSay()
    {
        var snapshot = OneCluster("");

        var output = CircuitBreaking(snapshot);

        output.AssertNoDiagnostics();
        Assert.Equal(0, output.Limits().Count);
    }

    [Fact]
    public void OnlyHighPriorityThresholds_NoLimit_HighIsWarnedAndTheMissingDefaultSaid()
    {
        var snapshot = OneCluster(""" "circuit_breakers": { "thresholds": [ { "priority": "HIGH", "max_connections": 1 } ] } """);

        var output = CircuitBreaking(snapshot);

        Assert.Equal(0, output.Limits().Count);
        var warning = output.AssertDiagnostic(DiagnosticSeverity.Warning, "cluster capped", "HIGH");
        Assert.Equal("circuit_breakers.thresholds[0].priority", warning.Field);
        output.AssertDiagnostic(DiagnosticSeverity.Info, "cluster capped", "no DEFAULT");
    }

    [Fact]
    public void HighPriorityNextToDefault_IsIgnored_TheDefaultOneApplies()
    {
        var snapshot = OneCluster("""
            "circuit_breakers": { "thresholds": [ { "priority": "HIGH", "max_connections": 1 }, { "max_connections": 5 } ] }
            """);

        var output = CircuitBreaking(snapshot);

        Assert.Equal(5u, output.LimitsOf(snapshot, "capped").MaxConnections);
        Assert.Equal("circuit_breakers.thresholds[0].priority", output.AssertDiagnostic(DiagnosticSeverity.Warning, "cluster capped").Field);
    }

    [Fact]
    public void SecondDefaultEntry_IsWarned_TheFirstApplies()
    {
        var snapshot = OneCluster(""" "circuit_breakers": { "thresholds": [ { "max_connections": 5 }, { "max_connections": 50 } ] } """);

        var output = CircuitBreaking(snapshot);

        Assert.Equal(5u, output.LimitsOf(snapshot, "capped").MaxConnections);
        Assert.Equal("circuit_breakers.thresholds[1]", output.AssertDiagnostic(DiagnosticSeverity.Warning, "cluster capped", "second DEFAULT").Field);
    }

    [Theory]
    [InlineData("max_connections")]
    [InlineData("max_pending_requests")]
    public void ZeroLimit_IsAnErrorNamingTheField_AndOtherClustersKeepTheirLimits(string field)
    {
        var snapshot = new SnapshotBuilder()
            .Cluster(GuardedCluster("bad", $$""" "circuit_breakers": { "thresholds": [ { "{{field}}": 0 } ] } """, Endpoint))
            .Cluster(GuardedCluster("good", """ "circuit_breakers": { "thresholds": [ { "max_connections": 4 } ] } """, "10.0.1.2:9080"))
            .Build();

        var output = CircuitBreaking(snapshot);

        var error = output.AssertDiagnostic(DiagnosticSeverity.Error, "cluster bad");
        Assert.Equal($"circuit_breakers.thresholds[0].{field}", error.Field);
        Assert.False(output.Limits().TryGet(snapshot.Ids.ClusterId("bad"), out _));
        Assert.Equal(4u, output.LimitsOf(snapshot, "good").MaxConnections);
    }

    [Fact]
    public void UnknownPriority_IsAnErrorNamingTheField()
    {
        var snapshot = OneCluster(""" "circuit_breakers": { "thresholds": [ { "priority": 7, "max_connections": 3 } ] } """);

        var output = CircuitBreaking(snapshot);

        Assert.Equal("circuit_breakers.thresholds[0].priority", output.AssertDiagnostic(DiagnosticSeverity.Error, "cluster capped", "unknown priority").Field);
        Assert.Equal(0, output.Limits().Count);
        Assert.DoesNotContain(output.Diagnostics, d => d.Severity == DiagnosticSeverity.Info);
    }

    [Theory]
    [InlineData("max_requests", DiagnosticSeverity.Warning)]
    [InlineData("max_retries", DiagnosticSeverity.Warning)]
    [InlineData("max_connection_pools", DiagnosticSeverity.Info)]
    public void RequestLevelLimits_AreReportedNamingTheField_TheConnectionLimitsStillApply(string field, DiagnosticSeverity severity)
    {
        var snapshot = OneCluster($$""" "circuit_breakers": { "thresholds": [ { "max_connections": 3, "{{field}}": 10 } ] } """);

        var output = CircuitBreaking(snapshot);

        Assert.Equal($"circuit_breakers.thresholds[0].{field}", output.AssertDiagnostic(severity, "cluster capped").Field);
        Assert.Equal(3u, output.LimitsOf(snapshot, "capped").MaxConnections);
    }

    [Fact]
    public void RetryBudgetTrackRemainingAndPerHostThresholds_AreReported()
    {
        var snapshot = OneCluster("""
            "circuit_breakers": {
              "thresholds": [ { "max_connections": 3, "track_remaining": true, "retry_budget": { "budget_percent": { "value": 20 } } } ],
              "per_host_thresholds": [ { "max_connections": 1 } ]
            }
            """);

        var output = CircuitBreaking(snapshot);

        Assert.Contains(output.Diagnostics, d => d is { Severity: DiagnosticSeverity.Warning, Field: "circuit_breakers.thresholds[0].retry_budget" });
        Assert.Contains(output.Diagnostics, d => d is { Severity: DiagnosticSeverity.Info, Field: "circuit_breakers.thresholds[0].track_remaining" });
        Assert.Contains(output.Diagnostics, d => d is { Severity: DiagnosticSeverity.Warning, Field: "circuit_breakers.per_host_thresholds" });
        Assert.Equal(3u, output.LimitsOf(snapshot, "capped").MaxConnections);
    }

    [Fact]
    public void IstiosUnlimitedThresholds_NoEntry_AndNoWarnings()
    {
        // What istiod sends for every cluster without a DestinationRule limit.
        var snapshot = OneCluster("""
            "circuit_breakers": { "thresholds": [ { "max_connections": 4294967295, "max_pending_requests": 4294967295,
              "max_requests": 4294967295, "max_retries": 4294967295, "track_remaining": true } ] }
            """);

        var output = CircuitBreaking(snapshot);

        Assert.Equal(0, output.Limits().Count);
        Assert.DoesNotContain(output.Diagnostics, d => d.Severity != DiagnosticSeverity.Info);
    }

    [Fact]
    public void ClusterRemoved_ItsEntryGoesAway()
    {
        var builder = new SnapshotBuilder().Cluster(GuardedCluster("capped", """ "circuit_breakers": { "thresholds": [ { "max_connections": 3 } ] } """, Endpoint));
        var before = builder.Build();
        var after = new Kmesh.Sdk.Snapshot.MeshSnapshot("2", [], [], [], [], builder.Ids);

        Assert.Equal(1, CircuitBreaking(before).Limits().Count);
        Assert.Equal(0, CircuitBreaking(after).Limits().Count);
    }
}
