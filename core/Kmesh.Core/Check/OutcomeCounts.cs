namespace Kmesh.Core.Check;

/// <summary>How many items had each outcome.</summary>
public sealed record OutcomeCounts(int Applied, int Partial, int Rejected, int NotUsed)
{
    /// <summary>Every item accounted for.</summary>
    public int Total => Applied + Partial + Rejected + NotUsed;

    /// <summary>Counts the outcomes of <paramref name="resources"/>.</summary>
    public static OutcomeCounts Of(IEnumerable<ResourceResult> resources)
    {
        var list = resources.ToList();
        return new(
            list.Count(r => r.Outcome == ResourceOutcome.Applied),
            list.Count(r => r.Outcome == ResourceOutcome.Partial),
            list.Count(r => r.Outcome == ResourceOutcome.Rejected),
            list.Count(r => r.Outcome == ResourceOutcome.NotUsed));
    }

    /// <summary>These counts and <paramref name="other"/>'s together (totals over files written one at a time).</summary>
    public OutcomeCounts Plus(OutcomeCounts other) =>
        new(Applied + other.Applied, Partial + other.Partial, Rejected + other.Rejected, NotUsed + other.NotUsed);

    /// <summary><c>5 resources: 2 applied, 1 partially applied, 0 rejected, 2 not used</c>.</summary>
    public override string ToString() =>
        $"{Total} {(Total == 1 ? "resource" : "resources")}: {Applied} applied, {Partial} partially applied, {Rejected} rejected, {NotUsed} not used";
}
