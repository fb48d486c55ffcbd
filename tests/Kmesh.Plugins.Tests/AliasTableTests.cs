using Kmesh.Plugins.LoadBalance;

namespace Kmesh.Plugins.Tests;

public class AliasTableTests
{
    // The bar is 0.1% of each endpoint's own share; the table does far better (2^-32 per column).
    private const double Tolerance = 0.001;

    [Theory]
    [InlineData(10_000, 1u, 1u)]
    [InlineData(10_000, 1u, 100u)]
    [InlineData(10_000, 1u, 1_000_000u)]
    [InlineData(65_536, 1u, 7u)]
    [InlineData(3, 1u, 4_000_000_000u)]
    public void Build_RandomWeights_EveryShareWithinAThousandthOfItsWeight(int count, uint min, uint max)
    {
        var random = new Random(17);
        var weights = Enumerable.Range(0, count).Select(_ => (uint)random.NextInt64(min, (long)max + 1)).ToArray();

        var shares = Shares(AliasTable.Build(weights));

        double total = weights.Sum(w => (double)w);
        for (var i = 0; i < count; i++)
        {
            var expected = weights[i] / total;
            Assert.True(Math.Abs(shares[i] - expected) <= Tolerance * expected,
                $"endpoint {i} of weight {weights[i]}: share {shares[i]:E6}, expected {expected:E6}");
        }
    }

    [Fact]
    public void Build_EqualWeights_EveryColumnKeptWhole()
    {
        // Round robin over such a table is plain round robin: one pass, every endpoint once.
        var columns = AliasTable.Build(Enumerable.Repeat(5u, 10_000).ToArray());

        Assert.All(columns.Select((c, i) => (c, i)), x => Assert.Equal(new AliasColumn(0, x.i), x.c));
    }

    [Fact]
    public void Build_AColumnGivesItsRestToAnEndpointOfAtLeastTheMeanWeight()
    {
        uint[] weights = [1, 9, 2, 8, 5, 5];

        var columns = AliasTable.Build(weights);

        var mean = weights.Average(w => (double)w);
        foreach (var (column, i) in columns.Select((c, i) => (c, i)))
        {
            Assert.InRange(column.Alias, 0, weights.Length - 1);
            if (column.Cut != 0)
                Assert.True(weights[column.Alias] >= mean, $"column {i} gives its rest to {column.Alias} of weight {weights[column.Alias]}");
        }
    }

    [Fact]
    public void Build_SameWeights_SameTable()
    {
        var random = new Random(3);
        var weights = Enumerable.Range(0, 5000).Select(_ => (uint)random.Next(1, 1000)).ToArray();

        Assert.Equal(AliasTable.Build(weights), AliasTable.Build(weights));
    }

    [Fact]
    public void Build_ZeroWeight_Throws()
    {
        Assert.Throws<ArgumentException>(() => AliasTable.Build([1, 0, 2]));
    }

    /// <summary>Each endpoint's exact probability for a uniform column and a uniform 32-bit draw (as the kernel draws).</summary>
    internal static double[] Shares(AliasColumn[] columns)
    {
        var shares = new double[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            var keep = columns[i].Cut == 0 ? 1.0 : columns[i].Cut / 4294967296.0;
            shares[i] += keep / columns.Length;
            shares[columns[i].Alias] += (1 - keep) / columns.Length;
        }
        return shares;
    }
}
