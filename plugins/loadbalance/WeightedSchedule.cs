namespace Kmesh.Plugins.LoadBalance;

/// <summary>
/// Lays weighted endpoints out as a schedule the kernel walks with one counter: each
/// endpoint holds slots in proportion to its weight, interleaved by smooth weighted round
/// robin (the order nginx uses) so that consecutive connects spread out instead of
/// hitting one endpoint w times in a row. A uniform random slot is a weighted random pick.
/// </summary>
public static class WeightedSchedule
{
    /// <summary>
    /// The schedule as indexes into <paramref name="weights"/>. Weights are reduced by their
    /// greatest common divisor and, if their sum still exceeds <paramref name="maxLength"/>,
    /// scaled down to <paramref name="maxLength"/> slots, each endpoint within one slot of its
    /// share (every endpoint with a positive weight keeps at least one slot).
    /// Zero weights get no slot.
    /// </summary>
    public static int[] Build(IReadOnlyList<uint> weights, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var scaled = Scale(weights, maxLength);
        long total = 0;
        foreach (var w in scaled)
            total += w;
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

    private static long[] Scale(IReadOnlyList<uint> weights, int maxLength)
    {
        var result = new long[weights.Count];
        for (var i = 0; i < weights.Count; i++)
            result[i] = weights[i];
        var sum = Reduce(result);
        if (sum == 0)
            return result;
        var positive = result.Count(w => w > 0);
        if (positive > maxLength)
            throw new ArgumentException($"{positive} endpoints do not fit a schedule of {maxLength} slots.", nameof(weights));
        if (sum <= maxLength)
            return result;

        // Apportion maxLength slots by weight (largest remainder), so that every endpoint holds
        // its exact share rounded up or down. An endpoint whose share is below one slot gets
        // one; the others share what is left, which may lift more of them, so repeat.
        var lifted = new bool[result.Length];
        var pool = (long)maxLength;
        var poolWeight = sum;
        bool liftedMore;
        do
        {
            liftedMore = false;
            for (var i = 0; i < result.Length; i++)
            {
                if (result[i] == 0 || lifted[i] || (Int128)result[i] * pool >= poolWeight)
                    continue;
                lifted[i] = true;
                liftedMore = true;
            }
            if (liftedMore)
            {
                pool = maxLength - lifted.Count(l => l);
                poolWeight = 0;
                for (var i = 0; i < result.Length; i++)
                {
                    if (!lifted[i])
                        poolWeight += result[i];
                }
            }
        }
        while (liftedMore);

        var slots = new long[result.Length];
        var remainders = new long[result.Length];
        var left = pool;
        for (var i = 0; i < result.Length; i++)
        {
            if (result[i] == 0)
                continue;
            if (lifted[i])
            {
                slots[i] = 1;
                continue;
            }
            var share = (Int128)result[i] * pool;
            slots[i] = (long)(share / poolWeight);
            remainders[i] = (long)(share % poolWeight);
            left -= slots[i];
        }
        // The slots rounding left over go to the largest remainders (ties: the heavier, then the first).
        var byRemainder = Enumerable.Range(0, result.Length)
            .Where(i => result[i] > 0 && !lifted[i] && remainders[i] > 0)
            .OrderByDescending(i => remainders[i])
            .ThenByDescending(i => result[i])
            .ThenBy(i => i);
        foreach (var i in byRemainder.Take((int)left))
            slots[i]++;
        Reduce(slots);
        return slots;
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
