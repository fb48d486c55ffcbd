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
    /// scaled down (every endpoint with a positive weight keeps at least one slot).
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
        long gcd = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            result[i] = weights[i];
            if (weights[i] > 0)
                gcd = Gcd(gcd, weights[i]);
        }
        if (gcd == 0)
            return result;
        long sum = 0;
        for (var i = 0; i < result.Length; i++)
        {
            result[i] /= gcd;
            sum += result[i];
        }
        var positive = result.Count(w => w > 0);
        if (positive > maxLength)
            throw new ArgumentException($"{positive} endpoints do not fit a schedule of {maxLength} slots.", nameof(weights));
        while (sum > maxLength)
        {
            // Shrink proportionally; the floor of one slot can overshoot, so repeat.
            var factor = (double)(maxLength - positive) / (sum - positive);
            sum = 0;
            for (var i = 0; i < result.Length; i++)
            {
                if (result[i] == 0)
                    continue;
                result[i] = 1 + (long)Math.Floor((result[i] - 1) * factor);
                sum += result[i];
            }
        }
        return result;
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
            (a, b) = (b, a % b);
        return a;
    }
}
