using Kmesh.Plugins.LoadBalance;

namespace Kmesh.Plugins.Tests;

public class WeightedScheduleTests
{
    [Fact]
    public void Build_FiveOneOne_ClassicSmoothWeightedRoundRobinSequence()
    {
        // nginx's smooth WRR for a=5, b=1, c=1: a a b a c a a
        Assert.Equal([0, 0, 1, 0, 2, 0, 0], WeightedSchedule.Build([5, 1, 1], 1024));
    }

    [Theory]
    [InlineData(new uint[] { 3, 1 }, new[] { 0, 0, 1, 0 })]
    [InlineData(new uint[] { 1, 1, 1 }, new[] { 0, 1, 2 })]
    [InlineData(new uint[] { 7 }, new[] { 0 })]
    [InlineData(new uint[] { 2, 3 }, new[] { 1, 0, 1, 0, 1 })]
    public void Build_SmallWeights_ExactSequence(uint[] weights, int[] expected)
    {
        Assert.Equal(expected, WeightedSchedule.Build(weights, 1024));
    }

    [Theory]
    [InlineData(new uint[] { 2, 2, 4 }, new[] { 1, 1, 2 })]
    [InlineData(new uint[] { 10, 20 }, new[] { 1, 2 })]
    [InlineData(new uint[] { 100, 100, 100 }, new[] { 1, 1, 1 })]
    [InlineData(new uint[] { 6, 0, 9 }, new[] { 2, 0, 3 })]
    [InlineData(new uint[] { 7 }, new[] { 1 })]
    public void Build_CommonDivisor_Reduced(uint[] weights, int[] expectedSlots)
    {
        var schedule = WeightedSchedule.Build(weights, 1024);

        Assert.Equal(expectedSlots.Sum(), schedule.Length);
        Assert.Equal(expectedSlots, SlotCounts(schedule, weights.Length));
    }

    [Theory]
    [InlineData(new uint[] { 0, 3, 0, 1 })]
    [InlineData(new uint[] { 0, 1 })]
    public void Build_ZeroWeights_GetNoSlot(uint[] weights)
    {
        var schedule = WeightedSchedule.Build(weights, 1024);

        Assert.Equal(weights.Sum(w => (int)w), schedule.Length);
        Assert.All(schedule, i => Assert.NotEqual(0u, weights[i]));
    }

    [Theory]
    [InlineData(new uint[0])]
    [InlineData(new uint[] { 0, 0 })]
    public void Build_NoPositiveWeight_EmptySchedule(uint[] weights)
    {
        Assert.Empty(WeightedSchedule.Build(weights, 1024));
    }

    [Fact]
    public void Build_SumWithinMax_EveryEndpointGetsExactlyItsReducedWeight()
    {
        var random = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            var weights = Enumerable.Range(0, random.Next(1, 12)).Select(_ => (uint)random.Next(1, 60)).ToArray();
            var gcd = weights.Aggregate(0u, Gcd);

            var schedule = WeightedSchedule.Build(weights, 1024);

            Assert.Equal(weights.Select(w => (int)(w / gcd)), SlotCounts(schedule, weights.Length));
        }
    }

    [Theory]
    [InlineData(3u, 1u)]
    [InlineData(5u, 2u)]
    [InlineData(10u, 3u)]
    [InlineData(100u, 1u)]
    [InlineData(50u, 49u)]
    [InlineData(7u, 7u)]
    public void Build_TwoEndpoints_HeavyOneNeverRunsLongerThanItMust(uint heavy, uint light)
    {
        var schedule = WeightedSchedule.Build([heavy, light], 1024);

        // The kernel's counter wraps, so runs are counted around the end too: the light endpoint
        // splits the heavy one's slots into runs of at most ceil(heavy / light).
        var mustRun = (int)Math.Ceiling((double)heavy / light);
        Assert.True(LongestCyclicRun(schedule) <= mustRun,
            $"{heavy}:{light} gave {string.Join("", schedule.Select(i => (char)('a' + i)))}");
    }

    [Theory]
    [InlineData(new uint[] { 1, 1, 1, 1, 1 }, 4)]
    [InlineData(new uint[] { 3000, 2000, 1000, 7 }, 1024)]
    [InlineData(new uint[] { uint.MaxValue, 1 }, 1024)]
    public void Build_WeightsBeyondMax_DoNotFit_AndThrow(uint[] weights, int max)
    {
        // A schedule never rounds a weight: what does not fit gets an alias table instead.
        Assert.False(WeightedSchedule.Fits(weights, max));
        Assert.Throws<ArgumentException>(() => WeightedSchedule.Build(weights, max));
    }

    [Theory]
    [InlineData(new uint[] { 2000, 1000, 8 }, 376)]
    [InlineData(new uint[] { 5, 10, 5 }, 4)]
    [InlineData(new uint[] { 1, 1, 1, 1 }, 4)]
    public void Fits_ReducedSumWithinMax_True(uint[] weights, int max)
    {
        Assert.True(WeightedSchedule.Fits(weights, max));
        Assert.Equal(max, WeightedSchedule.Build(weights, max).Length);
    }

    [Fact]
    public void Build_MaxLengthBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightedSchedule.Build([1], 0));
    }

    internal static int[] SlotCounts(int[] schedule, int endpoints)
    {
        var counts = new int[endpoints];
        foreach (var i in schedule)
            counts[i]++;
        return counts;
    }

    internal static int LongestRun<T>(IReadOnlyList<T> sequence)
    {
        var longest = 0;
        var run = 0;
        for (var i = 0; i < sequence.Count; i++)
        {
            run = i > 0 && EqualityComparer<T>.Default.Equals(sequence[i], sequence[i - 1]) ? run + 1 : 1;
            longest = Math.Max(longest, run);
        }
        return longest;
    }

    private static int LongestCyclicRun(int[] schedule) =>
        Math.Min(LongestRun([.. schedule, .. schedule]), schedule.Length);

    private static uint Gcd(uint a, uint b)
    {
        while (b != 0)
            (a, b) = (b, a % b);
        return a;
    }
}
