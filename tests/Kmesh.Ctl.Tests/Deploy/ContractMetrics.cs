using System.Text.RegularExpressions;

namespace Kmesh.Ctl.Tests.Deploy;

/// <summary>The metric names docs/admin-api.md promises, read from its "## Metrics" section.</summary>
internal static partial class ContractMetrics
{
    /// <summary>
    /// The contract says only "the .NET runtime and process metrics" without naming them; these
    /// are the Prometheus client conventions (prometheus-net's names) the dashboard assumes until
    /// the contract lists its own. Kept here, visible, rather than silently allowed.
    /// </summary>
    public static readonly IReadOnlySet<string> AssumedProcessMetrics = new HashSet<string>
    {
        "process_cpu_seconds_total",
        "process_working_set_bytes",
        "dotnet_total_memory_bytes",
    };

    public static IReadOnlySet<string> Named { get; } = Read(File.ReadAllText(RepoPaths.AdminApiDoc));

    /// <summary>Every <c>`istio_…`</c> or <c>`kmesh_…`</c> code span of the section, without its label list.</summary>
    internal static IReadOnlySet<string> Read(string markdown)
    {
        var start = markdown.IndexOf("\n## Metrics", StringComparison.Ordinal);
        if (start < 0)
            throw new InvalidOperationException("docs/admin-api.md has no '## Metrics' section");
        var end = markdown.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? markdown[start..] : markdown[start..end];
        return CodeSpanMetric().Matches(section).Select(m => m.Groups["name"].Value).ToHashSet();
    }

    /// <summary>
    /// Whether a name in an expression is a contract metric, or a series of one of its histograms.
    /// The doc does not mark histograms; by Prometheus's naming rules they carry a base unit
    /// (<c>_seconds</c>, <c>_bytes</c>), which a gauge like <c>kmesh_ready</c> does not.
    /// </summary>
    public static bool Allows(string name) =>
        Named.Contains(name)
        || AssumedProcessMetrics.Contains(name)
        || HistogramSeries().Match(name) is { Success: true } m && Named.Contains(m.Groups["base"].Value);

    [GeneratedRegex(@"`(?<name>(?:istio|kmesh)_[a-z0-9_]+)[`{]")]
    private static partial Regex CodeSpanMetric();

    [GeneratedRegex(@"^(?<base>.+_(?:seconds|bytes))_(?:bucket|sum|count)$")]
    private static partial Regex HistogramSeries();
}
