namespace Kmesh.Plugins.LoadBalance;

/// <summary>
/// Lays weighted endpoints out as a schedule the kernel walks with one counter: each
/// endpoint holds slots in proportion to its weight, interleaved by smooth weighted round
/// robin (the order nginx uses) so that consecutive connects spread out instead of
/// hitting one endpoint w times in a row. A uniform random slot is a weighted random pick.
/// Only for weights that fit exactly (<see cref="Fits"/>): a schedule never rounds a weight;
/// clusters whose weights do not fit get an <see cref="AliasTable"/> instead.
/// </summary>
public static class WeightedSchedule
{
    /// <summary>
    /// True when the weights, reduced by their greatest common divisor, sum to at most
    /// <paramref name="maxLength"/>: the schedule then holds every weight exactly.
    /// </summary>
    public static bool Fits(IReadOnlyList<uint> weights, int maxLength) =>
        Reduced(weights, out var sum) is not null && sum <= maxLength;

    /// <summary>
    /// The schedule as indexes into <paramref name="weights"/>: weights reduced by their greatest
    /// common divisor, endpoint i holding exactly its reduced weight of slots. Zero weights get no slot.
    /// </summary>
    /// <exception cref="ArgumentException">The weights do not <see cref="Fits">fit</see> <paramref name="maxLength"/> slots.</exception>
    public static int[] Build(IReadOnlyList<uint> weights, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var scaled = Reduced(weights, out var total);
        if (scaled is null)
            return [];
        if (total > maxLength)
            throw new ArgumentException($"weights summing to {total} (reduced) do not fit a schedule of {maxLength} slots", nameof(weights));
        var schedule = new int[total];
        var current = new long[scaled.Length];
        for (var slot = 0; slot < schedule.Length; slot++)
        {
            var best = -1;
            for (var i = 0; i < scaled.Length; i++)
            {
                if (scaled[i] == 0)
                    continue;
                current[i] += scaled[i];
                if (best < 0 || current[i] > current[best])
                    best = i;
            }
            current[best] -= total;
            schedule[slot] = best;
        }
        return schedule;
    }

    /// <summary>The weights divided by their greatest common divisor, with their sum; null when all are 0.</summary>
    private static long[]? Reduced(IReadOnlyList<uint> weights, out long sum)
    {
        var result = new long[weights.Count];
        for (var i = 0; i < weights.Count; i++)
            result[i] = weights[i];
        sum = Reduce(result);
        return sum == 0 ? null : result;
    }

    /// <summary>Divides the weights by their greatest common divisor; returns their sum.</summary>
    private static long Reduce(long[] weights)
    {
        long gcd = 0;
        foreach (var w in weights)
        {
            if (w > 0)
                gcd = Gcd(gcd, w);
        }
        if (gcd == 0)
            return 0;
        long sum = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] /= gcd;
            sum += weights[i];
        }
        return sum;
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
            (a, b) = (b, a % b);
        return a;
    }
}
