using Envoy.Config.Cluster.V3;
using Envoy.Config.Listener.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Kmesh.Sdk.Translation;
using Kmesh.Xds;

namespace Kmesh.Core.Check;

/// <summary>
/// Decides each item's outcome from what was reported about it (docs/config-check.md):
/// rejected when it did not parse or an error names it; applied when a plugin reported a
/// fact and no warning; partially applied with both; otherwise not used, with the reason.
/// A route configuration or an endpoint assignment is applied through the listener or
/// cluster that uses it, so those are judged first.
/// </summary>
internal static class OutcomeJudge
{
    private const int FactsInReason = 3;

    public static List<ResourceResult> Judge(IReadOnlyList<ConfigEntry> entries, TranslationReports reports, EnvoyResources resources, IReadOnlyList<string> plugins)
    {
        var results = new ResourceResult?[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            if (!IsUsedThroughOthers(entries[i]))
                results[i] = Own(entries[i], reports, plugins, resources);
        }
        var users = new Users(entries, results, resources);
        for (var i = 0; i < entries.Count; i++)
            results[i] ??= ThroughUsers(entries[i], reports, users);
        return results.Select(r => r!).ToList();
    }

    private static bool IsUsedThroughOthers(ConfigEntry entry) =>
        entry.Resource is not null && entry.Name.Length > 0
        && entry.Kind is ConfigEntryKind.RouteConfiguration or ConfigEntryKind.ClusterLoadAssignment;

    private static ResourceResult Own(ConfigEntry entry, TranslationReports reports, IReadOnlyList<string> plugins, EnvoyResources resources)
    {
        var label = ResourceLabels.Of(entry);
        var reference = ResourceLabels.ReferenceOf(entry);
        var facts = reports.TakeFacts(reference);
        var findings = ParserWarnings(entry).Concat(reports.TakeFindings(reference)).ToList();
        if (entry.Error is { } error)
        {
            findings.Insert(0, new CheckFinding(DiagnosticSeverity.Error, error.FieldPath, error.Reason, CheckSources.Parser, error.Line));
            return Result(entry, label, ResourceOutcome.Rejected,
                $"does not parse: line {error.Line}: {findings[0].Text}", facts, findings);
        }
        if (entry.SkipReason is { } skipped)
            return Result(entry, label, ResourceOutcome.NotUsed, skipped, facts, findings);
        if (entry.Name.Length == 0 && entry.Kind != ConfigEntryKind.Listener)
        {
            var field = entry.Kind == ConfigEntryKind.ClusterLoadAssignment ? "cluster_name" : "name";
            findings.Insert(0, new CheckFinding(DiagnosticSeverity.Error, field, "is empty: Envoy requires a name, which is how other resources refer to it; left out", CheckSources.Check));
            return Result(entry, label, ResourceOutcome.Rejected, findings[0].Text, facts, findings);
        }
        if (entry.Resource is Listener listener && RdsWait.Of(listener, resources) is { } wait)
            return Decide(entry, label, facts, wait.Recast(findings), wait.Reason, whyNotUsedIsSpecific: true, reasonFirst: true);
        return Decide(entry, label, facts, findings, $"no plugin of the chain ({ChainText(plugins)}) acted on it or said why", whyNotUsedIsSpecific: false);
    }

    private static ResourceResult ThroughUsers(ConfigEntry entry, TranslationReports reports, Users index)
    {
        var label = ResourceLabels.Of(entry);
        var reference = ResourceLabels.ReferenceOf(entry);
        var facts = reports.TakeFacts(reference);
        var findings = ParserWarnings(entry).Concat(reports.TakeFindings(reference)).ToList();
        var users = index.Of(entry);
        foreach (var user in users.Where(u => u.Outcome is ResourceOutcome.Applied or ResourceOutcome.Partial))
            facts.Add(DerivedFact(entry, user));
        var whyNotUsed = users.Count == 0
            ? index.WhyNone(entry)
            : "used only by " + string.Join("; ", users.Select(u => $"{u.Resource}, which is {Describe(u.Outcome)}: {u.Reason}"));
        return Decide(entry, label, facts, findings, whyNotUsed, whyNotUsedIsSpecific: true) with { UsedBy = users.Select(u => u.Resource).ToList() };
    }

    private static ResourceResult Decide(ConfigEntry entry, string label, List<CheckFact> facts, List<CheckFinding> findings,
        string whyNotUsed, bool whyNotUsedIsSpecific, bool reasonFirst = false)
    {
        findings = findings.OrderByDescending(f => f.Severity).ToList(); // stable: errors, warnings, infos, each in report order
        if (findings.FirstOrDefault(f => f.Severity == DiagnosticSeverity.Error) is { } error)
            return Result(entry, label, ResourceOutcome.Rejected, error.Text, facts, findings);
        if (facts.Count > 0)
        {
            var outcome = findings.Any(f => f.Severity == DiagnosticSeverity.Warning) ? ResourceOutcome.Partial : ResourceOutcome.Applied;
            return Result(entry, label, outcome, Summary(facts), facts, findings);
        }
        // Why nothing applied is what a plugin (or the core) said; an unknown extension type the
        // parser met inside is rarely the reason, so it explains only when nothing more to the point does.
        var reason = reasonFirst ? whyNotUsed : findings.FirstOrDefault(f => f.Source != CheckSources.Parser)?.Text
            ?? (whyNotUsedIsSpecific ? whyNotUsed : findings.FirstOrDefault()?.Text ?? whyNotUsed);
        return Result(entry, label, ResourceOutcome.NotUsed, reason, facts, findings);
    }

    private static CheckFact DerivedFact(ConfigEntry entry, ResourceResult user)
    {
        // What the user left out may well be this resource's part: point there.
        var who = user.Outcome == ResourceOutcome.Partial ? $"{user.Resource} (partially applied: see there)" : user.Resource;
        if (entry.Kind == ConfigEntryKind.ClusterLoadAssignment)
        {
            var endpoints = user.Applied.FirstOrDefault(f => f.Kind == AppliedKind.Endpoints);
            return new CheckFact(AppliedKind.Endpoints, "", $"the endpoints of {who}{(endpoints is null ? "" : ": " + endpoints.Detail)}", CheckSources.Check);
        }
        var vips = user.Applied.Count(f => f.Kind == AppliedKind.Vip);
        return new CheckFact(AppliedKind.Vip, "", $"the routes of {who}, which routes {vips} {(vips == 1 ? "VIP" : "VIPs")}", CheckSources.Check);
    }

    private static IEnumerable<CheckFinding> ParserWarnings(ConfigEntry entry) =>
        entry.Warnings.Select(w => new CheckFinding(DiagnosticSeverity.Warning, w.FieldPath, w.Message, CheckSources.Parser, w.Line));

    private static ResourceResult Result(ConfigEntry entry, string label, ResourceOutcome outcome, string reason,
        List<CheckFact> facts, List<CheckFinding> findings) =>
        new(entry.Kind, entry.Name, label, entry.FieldPath, entry.Line, outcome, reason, facts,
            findings.OrderByDescending(f => f.Severity).ToList(), []);

    private static string Summary(List<CheckFact> facts)
    {
        var text = string.Join("; ", facts.Take(FactsInReason).Select(f => f.Detail));
        return facts.Count > FactsInReason ? $"{text}; and {facts.Count - FactsInReason} more" : text;
    }

    private static string ChainText(IReadOnlyList<string> plugins) => plugins.Count == 0 ? "empty" : string.Join(", ", plugins);

    private static string Describe(ResourceOutcome outcome) => outcome switch
    {
        ResourceOutcome.Rejected => "rejected",
        _ => "not used",
    };

    /// <summary>Which listeners fetch a route configuration, which clusters take an assignment's endpoints.</summary>
    private sealed class Users
    {
        private readonly EnvoyResources _resources;
        private readonly Dictionary<string, List<ResourceResult>> _byRouteName = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<ResourceResult>> _byAssignmentName = new(StringComparer.Ordinal);

        // Indexed once: a config dump holds thousands of assignments and clusters.
        public Users(IReadOnlyList<ConfigEntry> entries, ResourceResult?[] judged, EnvoyResources resources)
        {
            _resources = resources;
            for (var i = 0; i < entries.Count; i++)
            {
                if (judged[i] is not { } user)
                    continue;
                if (entries[i].Resource is Listener listener)
                {
                    foreach (var name in EnvoyReferences.RdsNames(listener).Distinct(StringComparer.Ordinal))
                        Add(_byRouteName, name, user);
                }
                else if (entries[i].Resource is Cluster cluster && EdsServiceName(cluster) is { } service)
                {
                    Add(_byAssignmentName, service, user);
                }
            }
        }

        public List<ResourceResult> Of(ConfigEntry entry) =>
            (entry.Kind == ConfigEntryKind.RouteConfiguration ? _byRouteName : _byAssignmentName).GetValueOrDefault(entry.Name) ?? [];

        public string WhyNone(ConfigEntry entry)
        {
            if (entry.Kind == ConfigEntryKind.RouteConfiguration)
            {
                // A config dump lists every inline route_config again as a static route configuration.
                var inline = _resources.Listeners.FirstOrDefault(l => InlineRouteNames(l).Contains(entry.Name, StringComparer.Ordinal));
                return inline is null
                    ? "no listener in this file fetches it over RDS (rds.route_config_name); routes apply only through a listener"
                    : $"listener {inline.Name} has its own inline route_config of this name, which is the one that applies (a config dump lists inline routes again as route configurations)";
            }
            var sameName = _resources.Clusters.FirstOrDefault(c => c.Name == entry.Name);
            return sameName is null
                ? "no EDS cluster in this file takes its endpoints from it (eds_cluster_config.service_name, else the cluster's name)"
                : $"cluster {entry.Name} is not of type EDS: it takes its endpoints from its own load_assignment, not from here (a config dump lists those again as endpoint configs)";
        }

        private static List<string> InlineRouteNames(Listener listener)
        {
            var names = new List<string>();
            foreach (var config in listener.FilterChains.Append(listener.DefaultFilterChain).OfType<FilterChain>().SelectMany(c => c.Filters).Select(f => f.TypedConfig))
            {
                if (config?.Is(HttpConnectionManager.Descriptor) != true || !config.TryUnpack<HttpConnectionManager>(out var hcm))
                    continue;
                if (hcm.RouteSpecifierCase == HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig)
                    names.Add(hcm.RouteConfig.Name);
            }
            return names;
        }

        private static void Add(Dictionary<string, List<ResourceResult>> index, string name, ResourceResult user)
        {
            if (!index.TryGetValue(name, out var users))
                index[name] = users = [];
            users.Add(user);
        }

        // As the snapshot builder finds a cluster's assignment.
        private static string? EdsServiceName(Cluster cluster) =>
            cluster.ClusterDiscoveryTypeCase == Cluster.ClusterDiscoveryTypeOneofCase.Type && cluster.Type == Cluster.Types.DiscoveryType.Eds
                ? string.IsNullOrEmpty(cluster.EdsClusterConfig?.ServiceName) ? cluster.Name : cluster.EdsClusterConfig.ServiceName
                : null;
    }
}
