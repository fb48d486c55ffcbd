using Kmesh.Plugins.LoadBalance;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using static Kmesh.Plugins.Tests.Resources;

namespace Kmesh.Plugins.Tests;

/// <summary>
/// Envoy's priority levels (health × overprovisioning factor, normalized), locality-weighted
/// balancing and endpoint weights, as carried by the slots of the schedule.
/// </summary>
public class LoadBalancePriorityTests
{
    private static readonly string[] P0 = ["10.0.1.1:80", "10.0.1.2:80", "10.0.1.3:80", "10.0.1.4:80"];
    private static readonly string[] P1 = ["10.0.2.1:80", "10.0.2.2:80"];

    /// <summary>Four P0 endpoints of which the first <paramref name="unhealthy"/> are UNHEALTHY, and two healthy P1 endpoints.</summary>
    private static string TwoPriorities(int unhealthy, string policy = "") => $$"""
        { "cluster_name": "reviews", {{policy}} "endpoints": [
          { "locality": { "zone": "a" }, "lb_endpoints": [ {{string.Join(", ", P0.Select((e, i) => LbEndpoint(e, health: i < unhealthy ? "UNHEALTHY" : "HEALTHY")))}} ] },
          { "priority": 1, "locality": { "zone": "b" }, "lb_endpoints": [ {{string.Join(", ", P1.Select(e => LbEndpoint(e)))}} ] } ] }
        """;

    private static (MeshSnapshot Snapshot, TranslationOutput Output) Translate(string assignment, bool localityWeighted = false)
    {
        var cluster = localityWeighted
            ? Cluster("""
                { "name": "reviews", "type": "EDS", "eds_cluster_config": { "eds_config": { "ads": {} } }, "lb_policy": "ROUND_ROBIN",
                  "common_lb_config": { "locality_weighted_lb_config": {} } }
                """)
            : EdsCluster("reviews");
        var snapshot = new SnapshotBuilder().Cluster(cluster).Endpoints("reviews", LoadAssignment(assignment)).Build();
        return (snapshot, Translation.LoadBalance(snapshot));
    }

    /// <summary>Slots per endpoint address ("ip:port") in the cluster's schedule of <paramref name="family"/>.</summary>
    private static Dictionary<string, int> SlotCounts(MeshSnapshot snapshot, TranslationOutput output, LbFamily family = LbFamily.V4) =>
        output.Slots(snapshot, "reviews", family).GroupBy(s => s.Address.ToString()).ToDictionary(g => g.Key, g => g.Count());

    private static int Sum(Dictionary<string, int> counts, IEnumerable<string> endpoints) => endpoints.Sum(e => counts.GetValueOrDefault(e));

    [Fact]
    public void PriorityZeroFullyHealthy_TakesAllTheLoad()
    {
        var (snapshot, output) = Translate(TwoPriorities(unhealthy: 0));

        output.AssertNoDiagnostics();
        var counts = SlotCounts(snapshot, output);
        Assert.Equal(P0.Order(), counts.Keys.Order());
        Assert.All(counts.Values, c => Assert.Equal(1, c));
    }

    [Fact]
    public void PriorityZeroThreeOfFourHealthy_StillTakesAllTheLoad_OverprovisioningCoversIt()
    {
        // 75% healthy × 1.4 = 105%, capped at 100%.
        var (snapshot, output) = Translate(TwoPriorities(unhealthy: 1));

        var counts = SlotCounts(snapshot, output);
        Assert.Equal(P0.Skip(1).Order(), counts.Keys.Order());
        Assert.Equal(3, counts.Values.Sum());
    }

    [Fact]
    public void PriorityZeroHalfHealthy_SeventyThirtySplit()
    {
        // 50% healthy × 1.4 = 70% to P0, the remaining 30% to P1: per endpoint 35, 35, 15, 15 → 7:7:3:3.
        var (snapshot, output) = Translate(TwoPriorities(unhealthy: 2));

        output.AssertNoDiagnostics();
        var counts = SlotCounts(snapshot, output);
        Assert.Equal(20, counts.Values.Sum());
        Assert.Equal(7, counts["10.0.1.3:80"]);
        Assert.Equal(7, counts["10.0.1.4:80"]);
        Assert.Equal(3, counts["10.0.2.1:80"]);
        Assert.Equal(3, counts["10.0.2.2:80"]);
        Assert.Equal(14, Sum(counts, P0));
        Assert.False(counts.ContainsKey("10.0.1.1:80") || counts.ContainsKey("10.0.1.2:80"));
        // Interleaved: the P1 slots are spread over the cycle, not bunched at its end.
        var slots = output.Slots(snapshot, "reviews", LbFamily.V4).Select(s => s.Address.ToString()).ToList();
        Assert.True(WeightedScheduleTests.LongestRun(slots) <= 1, string.Join(" ", slots));
    }

    [Fact]
    public void OverprovisioningFactor100_HalfHealthy_FiftyFifty()
    {
        var (snapshot, output) = Translate(TwoPriorities(unhealthy: 2, policy: """ "policy": { "overprovisioning_factor": 100 }, """));

        output.AssertNoDiagnostics();
        var counts = SlotCounts(snapshot, output);
        Assert.Equal(Sum(counts, P0), Sum(counts, P1));
        Assert.Equal(4, counts.Values.Sum());
    }

    [Fact]
    public void PriorityZeroAllDown_EverythingToPriorityOne()
    {
        var (snapshot, output) = Translate(TwoPriorities(unhealthy: 4));

        var counts = SlotCounts(snapshot, output);
        Assert.Equal(P1.Order(), counts.Keys.Order());
        Assert.Equal([1, 1], counts.Values);
    }

    [Theory]
    // healthy P0 endpoints of 4 → P0's health (×1.4, capped) → load P0 : P1 (P1 fully healthy)
    [InlineData(4, 100)]
    [InlineData(3, 100)]
    [InlineData(2, 70)]
    [InlineData(1, 35)]
    [InlineData(0, 0)]
    public void PriorityLoad_FollowsHealthTimesFactor(int healthy, int percentToP0)
    {
        var (snapshot, output) = Translate(TwoPriorities(unhealthy: 4 - healthy));

        var counts = SlotCounts(snapshot, output);
        var total = counts.Values.Sum();
        Assert.Equal(percentToP0 * total, Sum(counts, P0) * 100);
    }

    [Fact]
    public void TotalHealthBelow100_IsNormalized()
    {
        // Each level is 1 of 4 healthy: 35% + 35% = 70% of total health, normalized to 50% + 50%.
        var (snapshot, output) = Translate($$"""
            { "cluster_name": "reviews", "endpoints": [
              { "lb_endpoints": [ {{LbEndpoint("10.0.1.1:80")}}, {{LbEndpoint("10.0.1.2:80", health: "UNHEALTHY")}},
                                  {{LbEndpoint("10.0.1.3:80", health: "UNHEALTHY")}}, {{LbEndpoint("10.0.1.4:80", health: "TIMEOUT")}} ] },
              { "priority": 1, "lb_endpoints": [ {{LbEndpoint("10.0.2.1:80")}}, {{LbEndpoint("10.0.2.2:80", health: "UNHEALTHY")}},
                                  {{LbEndpoint("10.0.2.3:80", health: "UNHEALTHY")}}, {{LbEndpoint("10.0.2.4:80", health: "UNHEALTHY")}} ] } ] }
            """);

        var counts = SlotCounts(snapshot, output);
        Assert.Equal(new Dictionary<string, int> { ["10.0.1.1:80"] = 1, ["10.0.2.1:80"] = 1 }, counts);
    }

    [Theory]
    // Draining hosts are excluded (Envoy 1.29+): 2 healthy of 2 counted → 100%. Unhealthy ones count: 2 of 4 → 70%.
    [InlineData("DRAINING", 2, 0)]
    [InlineData("UNHEALTHY", 14, 6)]
    [InlineData("TIMEOUT", 14, 6)]
    public void DrainingHosts_DoNotCountInTheHealth_UnhealthyOnesDo(string status, int toP0, int toP1)
    {
        var (snapshot, output) = Translate($$"""
            { "cluster_name": "reviews", "endpoints": [
              { "lb_endpoints": [ {{LbEndpoint("10.0.1.1:80", health: status)}}, {{LbEndpoint("10.0.1.2:80", health: status)}},
                                  {{LbEndpoint("10.0.1.3:80")}}, {{LbEndpoint("10.0.1.4:80")}} ] },
              { "priority": 1, "lb_endpoints": [ {{string.Join(", ", P1.Select(e => LbEndpoint(e)))}} ] } ] }
            """);

        var counts = SlotCounts(snapshot, output);
        Assert.Equal(toP0, Sum(counts, P0));
        Assert.Equal(toP1, Sum(counts, P1));
        Assert.False(counts.ContainsKey("10.0.1.1:80") || counts.ContainsKey("10.0.1.2:80"));
    }

    [Fact]
    public void SinglePriorityHalfHealthy_KeepsAllTheLoad()
    {
        var (snapshot, output) = Translate($$"""
            { "cluster_name": "reviews", "endpoints": [ { "lb_endpoints": [
              {{LbEndpoint("10.0.1.1:80", weight: 3)}}, {{LbEndpoint("10.0.1.2:80")}}, {{LbEndpoint("10.0.1.3:80", health: "UNHEALTHY")}}, {{LbEndpoint("10.0.1.4:80", health: "UNHEALTHY")}} ] } ] }
            """);

        Assert.Equal(new Dictionary<string, int> { ["10.0.1.1:80"] = 3, ["10.0.1.2:80"] = 1 }, SlotCounts(snapshot, output));
    }

    [Fact]
    public void WeightedPriorityHealth_UsesEndpointWeightsForTheHealth()
    {
        // By count P0 is 50% healthy (70% load); by weight 1 of 4 = 25% healthy → 35% load, 65% to P1.
        var assignment = (bool weighted) => $$"""
            { "cluster_name": "reviews", "policy": { "weighted_priority_health": {{(weighted ? "true" : "false")}} }, "endpoints": [
              { "lb_endpoints": [ {{LbEndpoint("10.0.1.1:80", weight: 1)}}, {{LbEndpoint("10.0.1.2:80", weight: 3, health: "UNHEALTHY")}} ] },
              { "priority": 1, "lb_endpoints": [ {{LbEndpoint("10.0.2.1:80")}} ] } ] }
            """;

        var (byWeight, byWeightOutput) = Translate(assignment(true));
        var (byCount, byCountOutput) = Translate(assignment(false));

        Assert.Equal(new Dictionary<string, int> { ["10.0.1.1:80"] = 7, ["10.0.2.1:80"] = 13 }, SlotCounts(byWeight, byWeightOutput));
        Assert.Equal(new Dictionary<string, int> { ["10.0.1.1:80"] = 7, ["10.0.2.1:80"] = 3 }, SlotCounts(byCount, byCountOutput));
    }

    [Fact]
    public void Degraded_GetsOnlyTheLoadHealthyHostsCannotTake()
    {
        // P0: 1 healthy of 2 → health 70%, 1 degraded of 2 → 70%. Alone, the degraded host takes
        // the 30% healthy hosts leave; with a healthy P1 those 30% go to P1 instead.
        var alone = $$"""
            { "cluster_name": "reviews", "endpoints": [ { "lb_endpoints": [
              {{LbEndpoint("10.0.1.1:80")}}, {{LbEndpoint("10.0.1.2:80", health: "DEGRADED")}} ] } ] }
            """;
        var withBackup = $$"""
            { "cluster_name": "reviews", "endpoints": [
              { "lb_endpoints": [ {{LbEndpoint("10.0.1.1:80")}}, {{LbEndpoint("10.0.1.2:80", health: "DEGRADED")}} ] },
              { "priority": 1, "lb_endpoints": [ {{LbEndpoint("10.0.2.1:80")}} ] } ] }
            """;
        var onlyDegraded = $$"""
            { "cluster_name": "reviews", "endpoints": [
              { "lb_endpoints": [ {{LbEndpoint("10.0.1.1:80", health: "UNHEALTHY")}}, {{LbEndpoint("10.0.1.2:80", health: "DEGRADED")}} ] } ] }
            """;

        var (a, aOut) = Translate(alone);
        var (b, bOut) = Translate(withBackup);
        var (c, cOut) = Translate(onlyDegraded);

        Assert.Equal(new Dictionary<string, int> { ["10.0.1.1:80"] = 7, ["10.0.1.2:80"] = 3 }, SlotCounts(a, aOut));
        Assert.Equal(new Dictionary<string, int> { ["10.0.1.1:80"] = 7, ["10.0.2.1:80"] = 3 }, SlotCounts(b, bOut));
        Assert.Equal(new Dictionary<string, int> { ["10.0.1.2:80"] = 1 }, SlotCounts(c, cOut));
    }

    [Fact]
    public void HealthRoundingDownToZero_TheAvailableHostsStillServe()
    {
        // 1 healthy of 200: 140 × 1 / 200 rounds to a health of 0%. Envoy would panic and spread
        // over all 200; kmesh never connects to an unhealthy host, so the healthy one takes it all.
        var unhealthy = Enumerable.Range(2, 199).Select(i => LbEndpoint($"10.0.{i / 256}.{i % 256}:80", health: "UNHEALTHY"));
        var (snapshot, output) = Translate($$"""
            { "cluster_name": "reviews", "endpoints": [ { "lb_endpoints": [ {{LbEndpoint("10.1.0.1:80")}}, {{string.Join(", ", unhealthy)}} ] } ] }
            """);

        Assert.Equal(new Dictionary<string, int> { ["10.1.0.1:80"] = 1 }, SlotCounts(snapshot, output));
    }

    private static string TwoLocalities(uint? weightA, uint? weightB, string healthA2 = "HEALTHY") => $$"""
        { "cluster_name": "reviews", "endpoints": [
          { "locality": { "zone": "a" }, {{(weightA is null ? "" : $"\"load_balancing_weight\": {weightA},")}}
            "lb_endpoints": [ {{LbEndpoint("10.0.1.1:80")}}, {{LbEndpoint("10.0.1.2:80", health: healthA2)}} ] },
          { "locality": { "zone": "b" }, {{(weightB is null ? "" : $"\"load_balancing_weight\": {weightB},")}}
            "lb_endpoints": [ {{LbEndpoint("10.0.3.1:80")}}, {{LbEndpoint("10.0.3.2:80")}}, {{LbEndpoint("10.0.3.3:80")}}, {{LbEndpoint("10.0.3.4:80")}} ] } ] }
        """;

    private static readonly string[] LocalityA = ["10.0.1.1:80", "10.0.1.2:80"];
    private static readonly string[] LocalityB = ["10.0.3.1:80", "10.0.3.2:80", "10.0.3.3:80", "10.0.3.4:80"];

    [Fact]
    public void LocalityWeights2To1_WithLocalityWeightedLbConfig_SplitTwoToOne()
    {
        var (snapshot, output) = Translate(TwoLocalities(2, 1), localityWeighted: true);

        output.AssertNoDiagnostics();
        var counts = SlotCounts(snapshot, output);
        // A: 2/3 over 2 endpoints (1/3 each), B: 1/3 over 4 (1/12 each) → 4:4:1:1:1:1.
        Assert.Equal(2 * Sum(counts, LocalityB), Sum(counts, LocalityA));
        Assert.Equal([4, 4], LocalityA.Select(e => counts[e]));
        Assert.All(LocalityB, e => Assert.Equal(1, counts[e]));
    }

    [Fact]
    public void LocalityWeights_WithoutLocalityWeightedLbConfig_AreIgnored_ByEndpointCount()
    {
        var (snapshot, output) = Translate(TwoLocalities(2, 1), localityWeighted: false);

        var counts = SlotCounts(snapshot, output);
        Assert.Equal(6, counts.Count);
        Assert.All(counts.Values, c => Assert.Equal(1, c));
    }

    [Fact]
    public void LocalityWeight_IsScaledByItsHealthTimesFactor()
    {
        // Envoy's example: X weight 1 half healthy (0.5 × 1.4 = 0.7), Y weight 2 fully healthy:
        // X gets 0.7 / 2.7 ≈ 26%. Here Y = locality a, X = locality b with 2 of 4 healthy.
        var assignment = $$"""
            { "cluster_name": "reviews", "endpoints": [
              { "locality": { "zone": "y" }, "load_balancing_weight": 2, "lb_endpoints": [ {{LbEndpoint("10.0.1.1:80")}} ] },
              { "locality": { "zone": "x" }, "load_balancing_weight": 1, "lb_endpoints": [
                {{LbEndpoint("10.0.3.1:80")}}, {{LbEndpoint("10.0.3.2:80")}}, {{LbEndpoint("10.0.3.3:80", health: "UNHEALTHY")}}, {{LbEndpoint("10.0.3.4:80", health: "UNHEALTHY")}} ] } ] }
            """;

        var (snapshot, output) = Translate(assignment, localityWeighted: true);

        // y: 2 → 20/27; x: 0.7 → 7/27 split over its two healthy endpoints → 40:7:7 out of 54.
        Assert.Equal(new Dictionary<string, int> { ["10.0.1.1:80"] = 40, ["10.0.3.1:80"] = 7, ["10.0.3.2:80"] = 7 }, SlotCounts(snapshot, output));
    }

    [Fact]
    public void LocalityWithoutWeight_GetsNoLoad_WhenLocalityWeighted()
    {
        var (snapshot, output) = Translate(TwoLocalities(1, null), localityWeighted: true);

        Assert.Equal(LocalityA.Order(), SlotCounts(snapshot, output).Keys.Order());
    }

    [Fact]
    public void LocalityWeightZero_IsWarnedAbout_WithItsField()
    {
        var (snapshot, output) = Translate(TwoLocalities(1, 0), localityWeighted: true);

        Assert.Equal(LocalityA.Order(), SlotCounts(snapshot, output).Keys.Order());
        Assert.Equal("endpoints[1].load_balancing_weight", output.AssertDiagnostic(DiagnosticSeverity.Warning, "cluster reviews", "at least 1").Field);
    }

    [Fact]
    public void EndpointWeights_WithinALocality_ShareTheLocalityLoad()
    {
        var assignment = $$"""
            { "cluster_name": "reviews", "endpoints": [
              { "locality": { "zone": "a" }, "load_balancing_weight": 1, "lb_endpoints": [ {{LbEndpoint("10.0.1.1:80", weight: 3)}}, {{LbEndpoint("10.0.1.2:80", weight: 1)}} ] },
              { "locality": { "zone": "b" }, "load_balancing_weight": 1, "lb_endpoints": [ {{LbEndpoint("10.0.3.1:80", weight: 100)}} ] } ] }
            """;

        var (snapshot, output) = Translate(assignment, localityWeighted: true);

        Assert.Equal(new Dictionary<string, int> { ["10.0.1.1:80"] = 3, ["10.0.1.2:80"] = 1, ["10.0.3.1:80"] = 4 }, SlotCounts(snapshot, output));
    }

    [Fact]
    public void PriorityAndLocality_Combine()
    {
        // P0 at 70% (2 of 4 healthy) with localities 2:1 among its healthy hosts; P1 takes 30%.
        var assignment = $$"""
            { "cluster_name": "reviews", "endpoints": [
              { "locality": { "zone": "a" }, "load_balancing_weight": 2, "lb_endpoints": [ {{LbEndpoint("10.0.1.1:80")}}, {{LbEndpoint("10.0.1.2:80", health: "UNHEALTHY")}} ] },
              { "locality": { "zone": "b" }, "load_balancing_weight": 1, "lb_endpoints": [ {{LbEndpoint("10.0.1.3:80")}}, {{LbEndpoint("10.0.1.4:80", health: "UNHEALTHY")}} ] },
              { "priority": 1, "locality": { "zone": "c" }, "load_balancing_weight": 1, "lb_endpoints": [ {{LbEndpoint("10.0.2.1:80")}} ] } ] }
            """;

        var (snapshot, output) = Translate(assignment, localityWeighted: true);

        // Both localities are 50% healthy (× 1.4 = 0.7): 2:1 stays. 70% × 2/3, 70% × 1/3, 30% → 140:70:90 → 14:7:9.
        Assert.Equal(new Dictionary<string, int> { ["10.0.1.1:80"] = 14, ["10.0.1.3:80"] = 7, ["10.0.2.1:80"] = 9 }, SlotCounts(snapshot, output));
    }

    [Fact]
    public void DualStack_EachFamilyKeepsThePriorityProportions()
    {
        var assignment = $$"""
            { "cluster_name": "reviews", "endpoints": [
              { "lb_endpoints": [ {{LbEndpoint("10.0.1.1:80")}}, {{LbEndpoint("10.0.1.2:80", health: "UNHEALTHY")}},
                                  {{LbEndpoint("[fd00:1::1]:80")}}, {{LbEndpoint("[fd00:1::2]:80", health: "UNHEALTHY")}} ] },
              { "priority": 1, "lb_endpoints": [ {{LbEndpoint("10.0.2.1:80")}}, {{LbEndpoint("[fd00:2::1]:80")}} ] } ] }
            """;

        var (snapshot, output) = Translate(assignment);

        Assert.Equal(new Dictionary<string, int> { ["10.0.1.1:80"] = 7, ["10.0.2.1:80"] = 3 }, SlotCounts(snapshot, output, LbFamily.V4));
        Assert.Equal(new Dictionary<string, int> { ["[fd00:1::1]:80"] = 7, ["[fd00:2::1]:80"] = 3 }, SlotCounts(snapshot, output, LbFamily.V6));
    }

    [Fact]
    public void OverprovisioningFactorZero_IsWarnedAbout_AndTheDefaultUsed()
    {
        var (snapshot, output) = Translate(TwoPriorities(unhealthy: 2, policy: """ "policy": { "overprovisioning_factor": 0 }, """));

        Assert.Equal("policy.overprovisioning_factor", output.AssertDiagnostic(DiagnosticSeverity.Warning, "cluster reviews", "greater than 0").Field);
        Assert.Equal(14, Sum(SlotCounts(snapshot, output), P0));
    }

    [Fact]
    public void HugeWeights_AliasTableKeepsEveryShareWithinAThousandth()
    {
        // Shares whose exact integer form does not fit 32 bits: scaled to 2^30, then an alias table.
        uint[] weights = [4_000_000_007, 3_999_999_979, 1_000_000_007, 3];
        var assignment = $$"""
            { "cluster_name": "reviews", "endpoints": [
              { "lb_endpoints": [ {{LbEndpoint("10.0.1.1:80", weight: weights[0])}}, {{LbEndpoint("10.0.1.2:80", weight: weights[1])}},
                                  {{LbEndpoint("10.0.1.3:80", health: "UNHEALTHY")}}, {{LbEndpoint("10.0.1.4:80", health: "UNHEALTHY")}} ] },
              { "priority": 1, "lb_endpoints": [ {{LbEndpoint("10.0.2.1:80", weight: weights[2])}}, {{LbEndpoint("10.0.2.2:80", weight: weights[3])}} ] } ] }
            """;

        var (snapshot, output) = Translate(assignment);

        var shares = output.Shares(snapshot, "reviews", LbFamily.V4);
        var p0 = (double)weights[0] + weights[1];
        var p1 = (double)weights[2] + weights[3];
        var expected = new Dictionary<string, double>
        {
            ["10.0.1.1:80"] = 0.7 * weights[0] / p0, ["10.0.1.2:80"] = 0.7 * weights[1] / p0,
            ["10.0.2.1:80"] = 0.3 * weights[2] / p1, ["10.0.2.2:80"] = 0.3 * weights[3] / p1,
        };
        foreach (var (endpoint, share) in expected)
            // A thousandth of its share; the 3 (a share of 1e-9) is held to the 2^-30 the weights are scaled to.
            Assert.True(Math.Abs(shares[endpoint] - share) <= Math.Max(0.001 * share, 1.0 / (1 << 30)), $"{endpoint}: {shares[endpoint]:E6} for a share of {share:E6}");
    }

    [Fact]
    public void PrioritiesAndLocalities_SameSnapshotTwice_IdenticalBytes()
    {
        var (snapshot, first) = Translate(TwoLocalities(2, 1, healthA2: "UNHEALTHY"), localityWeighted: true);

        var second = Translation.LoadBalance(snapshot);

        Assert.Equal(first.Dump(), second.Dump());
    }
}
