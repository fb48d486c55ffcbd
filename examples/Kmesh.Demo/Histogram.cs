using Kmesh.Sdk.Testing;

namespace Kmesh.Demo;

/// <summary>Prints who answered how often, as bars.</summary>
internal static class Histogram
{
    public static void Print(DialResult result)
    {
        var rows = result.Histogram.OrderBy(e => e.Key, StringComparer.Ordinal)
            .Select(e => (Label: e.Key, e.Value))
            .Concat(result.Errors.Select(e => (Label: $"error {e.Key}", e.Value)))
            .ToList();
        var width = rows.Count == 0 ? 0 : rows.Max(r => r.Label.Length);
        foreach (var (label, count) in rows)
        {
            var share = result.Total == 0 ? 0 : 100.0 * count / result.Total;
            var bar = new string('#', (int)Math.Round(share / 2.5));
            Console.WriteLine($"    {label.PadRight(width)}  {count,5}  {share,5:0.0}%  {bar}");
        }
    }
}
