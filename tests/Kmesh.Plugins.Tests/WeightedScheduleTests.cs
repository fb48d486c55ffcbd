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

    [Theory]
    [InlineData(new uint[] { 1000, 1 }, 100)]
    [InlineData(new uint[] { 3000, 2000, 1000, 7 }, 1024)]
    [InlineData(new uint[] { uint.MaxValue, uint.MaxValue - 1, 1 }, 1024)]
    [InlineData(new uint[] { 1, 1, 1, 1, 1000000 }, 8)]
    [InlineData(new uint[] { 5, 5, 5, 5, 5 }, 5)]
    [InlineData(new uint[] { 9, 1, 1, 1, 1 }, 10)]
    public void Build_SumBeyondMax_ScaledKeepingEveryEndpoint(uint[] weights, int max)
    {
        var schedule = WeightedSchedule.Build(weights, max);

        AssertScaled(weights, max, schedule);
    }

    [Theory]
    [InlineData(new uint[] { 3000, 2000, 1000, 7 }, 1024, new[] { 511, 341, 171, 1 })]
    [InlineData(new uint[] { 1000, 1 }, 100, new[] { 99, 1 })]
    [InlineData(new uint[] { 999, 1001 }, 100, new[] { 1, 1 })]
    [InlineData(new uint[] { 1, 1, 1, 1, 1000000 }, 8, new[] { 1, 1, 1, 1, 4 })]
    public void Build_SumBeyondMax_ApportionsTheWholeScheduleThenReduces(uint[] weights, int max, int[] expectedSlots)
    {
        var schedule = WeightedSchedule.Build(weights, max);

        Assert.Equal(expectedSlots, SlotCounts(schedule, weights.Length));
    }

    [Fact]
    public void Build_RandomWeights_ScaledWithinOneSlotOfTheirShare()
    {
        var random = new Random(20240601);
        for (var round = 0; round < 300; round++)
        {
            var count = random.Next(1, 40);
            var weights = Enumerable.Range(0, count).Select(_ => (uint)random.Next(0, 100_000)).ToArray();
            var max = random.Next(Math.Max(1, weights.Count(w => w > 0)), 2048);

            AssertScaled(weights, max, WeightedSchedule.Build(weights, max));
        }
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

    [Fact]
    public void Build_MoreEndpointsThanSlots_Throws()
    {
        Assert.Throws<ArgumentException>(() => WeightedSchedule.Build([1, 1, 1, 1, 1], 4));
    }

    [Fact]
    public void Build_MaxLengthBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightedSchedule.Build([1], 0));
    }

    private static void AssertScaled(uint[] weights, int max, int[] schedule)
    {
        var counts = SlotCounts(schedule, weights.Length);
        var shown = $"weights [{string.Join(",", weights)}] max {max} gave [{string.Join(",", counts)}]";
        Assert.True(schedule.Length <= max, shown);
        var positive = weights.Count(w => w > 0);
        Assert.True(positive == 0 || schedule.Length > 0, shown);
        double total = weights.Sum(w => (double)w);
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] == 0)
            {
                Assert.True(counts[i] == 0, shown);
                continue;
            }
            Assert.True(counts[i] >= 1, shown);
            // Proportions are kept within a slot, except where the one-slot floor lifts a tiny weight.
            var share = weights[i] / total * schedule.Length;
            Assert.True(counts[i] - share < 1 || counts[i] == 1, $"{shown}: endpoint {i} has {counts[i]} slots for a share of {share:F2}");
        }
        // Whatever the floor lifted comes out of the others; nobody else loses more than a slot over it.
        var lifted = weights.Select((w, i) => counts[i] == 1 && w > 0 ? 1 - w / total * schedule.Length : 0).Where(d => d > 0).Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            if (weights[i] == 0 || counts[i] == 1)
                continue;
            var share = weights[i] / total * schedule.Length;
            Assert.True(share - counts[i] < 1 + lifted, $"{shown}: endpoint {i} has {counts[i]} slots for a share of {share:F2}");
        }
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
