using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Kmesh.Ctl.Tests.Deploy;

/// <summary>deploy/grafana/kmesh-dashboard.json stays a valid dashboard over the metrics docs/admin-api.md promises.</summary>
public sealed class DashboardTests
{
    private static readonly JsonNode Dashboard = JsonNode.Parse(File.ReadAllText(RepoPaths.Dashboard))!;

    [Fact]
    public void Dashboard_HasCurrentSchemaAndADatasourceVariableEveryPanelUses()
    {
        Assert.True(Dashboard["schemaVersion"]!.GetValue<int>() >= 39, "schemaVersion of Grafana 11 or later");
        var variables = Dashboard["templating"]!["list"]!.AsArray();
        Assert.Contains(variables, v => v!["type"]!.GetValue<string>() == "datasource" && v["name"]!.GetValue<string>() == "datasource" && v["query"]!.GetValue<string>() == "prometheus");
        foreach (var panel in Panels().Where(p => p["type"]!.GetValue<string>() != "row"))
            Assert.Equal("${datasource}", panel["datasource"]!["uid"]!.GetValue<string>());
    }

    [Fact]
    public void EveryExpression_UsesOnlyMetricsTheContractNames()
    {
        var expressions = Expressions().ToList();
        Assert.True(expressions.Count >= 15, $"only {expressions.Count} expressions found: is the dashboard read right?");
        var strays = expressions
            .SelectMany(e => PromQlMetricNames.In(e).Where(name => !ContractMetrics.Allows(name)).Select(name => $"{name} in {e}"))
            .ToList();
        Assert.True(strays.Count == 0, "not in docs/admin-api.md:\n" + string.Join("\n", strays));
    }

    [Fact]
    public void EveryContractMetric_IsOnTheDashboard()
    {
        var used = Expressions().SelectMany(PromQlMetricNames.In)
            .Select(name => Regex.Replace(name, "_(bucket|sum|count)$", ""))
            .ToHashSet();
        var missing = ContractMetrics.Named.Where(name => !used.Contains(name)).Order().ToList();
        Assert.True(missing.Count == 0, "no panel for: " + string.Join(", ", missing));
    }

    [Fact]
    public void ContractMetrics_AreReadFromTheDoc()
    {
        Assert.Contains("istio_tcp_connections_opened_total", ContractMetrics.Named);
        Assert.Contains("kmesh_connections_denied_total", ContractMetrics.Named);
        Assert.Contains("kmesh_config_apply_duration_seconds", ContractMetrics.Named);
        Assert.Contains("kmesh_xds_connected", ContractMetrics.Named);
        Assert.DoesNotContain("request_protocol", ContractMetrics.Named);
    }

    [Theory]
    [InlineData("sum by (destination_service) (rate(istio_tcp_sent_bytes_total{reporter=\"source\",instance=~\"$instance\"}[$__rate_interval]))", "istio_tcp_sent_bytes_total")]
    [InlineData("histogram_quantile(0.99, sum by (le) (rate(kmesh_config_apply_duration_seconds_bucket[5m])))", "kmesh_config_apply_duration_seconds_bucket")]
    [InlineData("max by (plugin, map) (kmesh_map_entries / on (plugin, map) kmesh_map_capacity)", "kmesh_map_entries kmesh_map_capacity")]
    [InlineData("sum(rate(kmesh_bogus_total{reason=\"rate_limited\"}[1m] offset 5m)) > bool 0.5", "kmesh_bogus_total")]
    public void MetricNames_AreFoundInExpressions(string expression, string names)
    {
        Assert.Equal(names.Split(' ').Order(), PromQlMetricNames.In(expression).Order());
    }

    [Fact]
    public void MetricNotInTheContract_IsRefused()
    {
        Assert.False(ContractMetrics.Allows("kmesh_bogus_total"));
        Assert.True(ContractMetrics.Allows("kmesh_config_apply_duration_seconds_count"));
        Assert.False(ContractMetrics.Allows("kmesh_ready_bucket"));
    }

    [PromtoolFact]
    public async Task EveryExpression_ParsesWithPromtool()
    {
        var (exit, output) = await CheckRulesAsync(Expressions().Select(ForPromtool));
        Assert.True(exit == 0, output);
    }

    [PromtoolFact]
    public async Task Promtool_RefusesABrokenExpression()
    {
        var (exit, output) = await CheckRulesAsync(["sum by (le) (rate(kmesh_ready[5m])"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("parse error", output);
    }

    private static IEnumerable<JsonNode> Panels() =>
        Dashboard["panels"]!.AsArray().SelectMany(p => new[] { p! }.Concat(p!["panels"]?.AsArray().Select(n => n!) ?? []));

    // Panel queries, and the metric of each label_values(METRIC, LABEL) variable query (not PromQL itself).
    private static IEnumerable<string> Expressions()
    {
        foreach (var panel in Panels())
        {
            foreach (var target in panel["targets"]?.AsArray() ?? [])
                yield return target!["expr"]!.GetValue<string>();
        }
        foreach (var variable in Dashboard["templating"]!["list"]!.AsArray())
        {
            if (variable!["definition"]?.GetValue<string>() is { } definition
                && Regex.Match(definition, @"^label_values\((?<selector>[^,]+),") is { Success: true } m)
                yield return m.Groups["selector"].Value;
        }
    }

    // Grafana's variables are not PromQL: give them values of the right kind.
    private static string ForPromtool(string expression) => expression
        .Replace("$__rate_interval", "5m", StringComparison.Ordinal)
        .Replace("$instance", ".*", StringComparison.Ordinal)
        .Replace("$service", ".*", StringComparison.Ordinal);

    // promtool 2.42 (Debian 12) has no `promql` subcommand; `check rules` parses each rule's expr.
    private static async Task<(int Exit, string Output)> CheckRulesAsync(IEnumerable<string> expressions)
    {
        var rules = new StringBuilder("groups:\n- name: kmesh-dashboard\n  rules:\n");
        var n = 0;
        foreach (var expression in expressions)
            rules.Append($"  - record: dashboard:expr_{n++}\n    expr: '{expression.Replace("'", "''", StringComparison.Ordinal)}'\n");
        var file = Path.Combine(Path.GetTempPath(), $"kmesh-dashboard-rules-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, rules.ToString());
        try
        {
            using var promtool = Process.Start(new ProcessStartInfo(Promtool.Path!, ["check", "rules", file])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var stdout = promtool.StandardOutput.ReadToEndAsync();
            var stderr = promtool.StandardError.ReadToEndAsync();
            await promtool.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            return (promtool.ExitCode, await stdout + await stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
