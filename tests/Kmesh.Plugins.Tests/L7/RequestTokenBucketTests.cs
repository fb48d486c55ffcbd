using Kmesh.Plugins.RateLimit.L7;

namespace Kmesh.Plugins.Tests.L7;

/// <summary>The waypoint's request bucket on a clock the test moves: Envoy's fill on every whole interval, capped at max_tokens.</summary>
public sealed class RequestTokenBucketTests
{
    [Fact]
    public void TryTake_StartsFullAndRefusesOnceEmpty()
    {
        var clock = new ManualClock();
        var bucket = new RequestTokenBucket(3, 1, TimeSpan.FromSeconds(10), clock);

        var taken = Enumerable.Range(0, 5).Select(_ => bucket.TryTake()).ToList();

        Assert.Equal([true, true, true, false, false], taken.Select(t => t.Taken));
        Assert.Equal([2u, 1u, 0u, 0u, 0u], taken.Select(t => t.Remaining));
        Assert.Equal(TimeSpan.FromSeconds(10), taken[0].UntilFill);
    }

    [Fact]
    public void TryTake_EachWholeIntervalAddsTokensPerFillUpToMax()
    {
        var clock = new ManualClock();
        var bucket = new RequestTokenBucket(5, 2, TimeSpan.FromSeconds(10), clock);
        for (var i = 0; i < 5; i++)
            bucket.TryTake();

        clock.Advance(TimeSpan.FromSeconds(9));
        var beforeFill = bucket.TryTake();
        clock.Advance(TimeSpan.FromSeconds(1));
        var afterOneFill = bucket.TryTake();
        clock.Advance(TimeSpan.FromSeconds(100));
        var afterMany = bucket.TryTake();

        Assert.False(beforeFill.Taken);
        Assert.Equal(TimeSpan.FromSeconds(1), beforeFill.UntilFill);
        Assert.Equal((true, 1u), (afterOneFill.Taken, afterOneFill.Remaining));
        // Ten fills of two would be twenty tokens; the bucket holds five.
        Assert.Equal((true, 4u), (afterMany.Taken, afterMany.Remaining));
    }

    [Fact]
    public void TryTake_ConcurrentRequestsTakeEachTokenOnce()
    {
        var bucket = new RequestTokenBucket(1000, 1, TimeSpan.FromHours(1), new ManualClock());
        var taken = 0;

        Parallel.For(0, 4000, _ =>
        {
            if (bucket.TryTake().Taken)
                Interlocked.Increment(ref taken);
        });

        Assert.Equal(1000, taken);
    }

    private sealed class ManualClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
