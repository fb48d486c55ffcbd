using Kmesh.Envoy.Api;
using Kmesh.Xds.Ads;
using static Kmesh.Xds.Tests.Ads.Resources;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>The absence timeout (<see cref="XdsState.ExpireAbsent"/>): each waiting name expires at its own time, an arrived one never, however the walk is skipped.</summary>
public sealed class AbsenceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly DateTime T0 = new(2026, 12, 7, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void RequestedNames_ExpireEachAtItsOwnTime_AndAnArrivedOneNever()
    {
        var state = new XdsState();
        state.MarkRequested(EnvoyTypes.ClusterLoadAssignment, ["a", "b"], T0);
        state.MarkRequested(EnvoyTypes.ClusterLoadAssignment, ["a", "b", "c"], T0 + TimeSpan.FromSeconds(5));
        // b arrives (for a cluster that uses it: an assignment nothing uses is dropped).
        state.Commit(state.Propose(EnvoyTypes.Cluster, [new XdsResource("b", Eds("b"), "1")], [], replaceAll: true, "1"));
        state.Commit(state.Propose(EnvoyTypes.ClusterLoadAssignment, [new XdsResource("b", Cla("b"), "1")], [], replaceAll: false, "1"));

        Assert.False(state.ExpireAbsent(T0 + TimeSpan.FromSeconds(1), Timeout));
        Assert.False(state.ExpireAbsent(T0 + TimeSpan.FromSeconds(14.9), Timeout));
        Assert.True(state.ExpireAbsent(T0 + Timeout, Timeout));
        Assert.Equal(["eds a"], state.Absent);
        Assert.False(state.ExpireAbsent(T0 + TimeSpan.FromSeconds(19.9), Timeout));
        Assert.True(state.ExpireAbsent(T0 + TimeSpan.FromSeconds(20), Timeout));
        Assert.Equal(["eds a", "eds c"], state.Absent.Order());
        Assert.False(state.ExpireAbsent(T0 + TimeSpan.FromHours(1), Timeout));
    }

    [Fact]
    public void ANameRequestedAfterAWalk_IsStillExpired()
    {
        var state = new XdsState();
        state.MarkRequested(EnvoyTypes.ClusterLoadAssignment, ["a"], T0);
        Assert.False(state.ExpireAbsent(T0 + TimeSpan.FromSeconds(1), Timeout));
        // Requested after the walk that found a due at T0 + 15 s: its own due comes later and is not missed.
        state.MarkRequested(EnvoyTypes.ClusterLoadAssignment, ["a", "z"], T0 + TimeSpan.FromSeconds(2));
        Assert.True(state.ExpireAbsent(T0 + Timeout, Timeout));
        Assert.True(state.ExpireAbsent(T0 + TimeSpan.FromSeconds(17), Timeout));
        Assert.Equal(["eds a", "eds z"], state.Absent.Order());
    }
}
