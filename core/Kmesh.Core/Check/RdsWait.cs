using Envoy.Config.Listener.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Google.Protobuf;
using Kmesh.Sdk.Translation;
using Kmesh.Xds;

namespace Kmesh.Core.Check;

/// <summary>
/// A listener whose HTTP connection manager fetches a route configuration over RDS that its file
/// does not hold. Envoy keeps such a listener warming — not serving, not refused — until RDS
/// delivers the routes, and kmesh's ADS client does the same; so the check says the listener is
/// waiting for them (not used), and what plugins said about the missing routes becomes an info.
/// </summary>
internal sealed record RdsWait(IReadOnlyList<string> Missing, IReadOnlyList<string> Fields)
{
    public string Reason =>
        $"waiting for route configuration {string.Join(", ", Missing)}: not in this file (Envoy keeps a listener warming, not serving, until RDS delivers its routes)";

    /// <summary>The wait of a listener, or null when every route configuration it fetches is in the file.</summary>
    public static RdsWait? Of(Listener listener, EnvoyResources resources)
    {
        var known = resources.Routes.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        var fields = new List<string>();
        foreach (var (filter, field) in HttpFilters(listener))
        {
            HttpConnectionManager hcm;
            try
            {
                hcm = filter.TypedConfig.Unpack<HttpConnectionManager>();
            }
            catch (InvalidProtocolBufferException)
            {
                continue; // the translator reports it
            }
            if (hcm.RouteSpecifierCase != HttpConnectionManager.RouteSpecifierOneofCase.Rds || known.Contains(hcm.Rds.RouteConfigName))
                continue;
            if (!missing.Contains(hcm.Rds.RouteConfigName))
                missing.Add(hcm.Rds.RouteConfigName);
            fields.Add(field);
        }
        return missing.Count == 0 ? null : new RdsWait(missing, fields);
    }

    /// <summary>Errors about the connection managers that wait (their routes are missing, not wrong) become infos.</summary>
    public List<CheckFinding> Recast(List<CheckFinding> findings) =>
        findings.Select(f => f.Severity == DiagnosticSeverity.Error && Fields.Any(field => f.Field == field || f.Field.StartsWith(field + ".", StringComparison.Ordinal))
            ? f with { Severity = DiagnosticSeverity.Info, Message = "while waiting for its routes: " + f.Message }
            : f).ToList();

    private static IEnumerable<(Filter Filter, string Field)> HttpFilters(Listener listener)
    {
        for (var c = 0; c < listener.FilterChains.Count; c++)
        {
            for (var f = 0; f < listener.FilterChains[c].Filters.Count; f++)
            {
                var filter = listener.FilterChains[c].Filters[f];
                if (filter.TypedConfig?.Is(HttpConnectionManager.Descriptor) == true)
                    yield return (filter, $"filter_chains[{c}].filters[{f}].typed_config");
            }
        }
        if (listener.DefaultFilterChain is { } chain)
        {
            for (var f = 0; f < chain.Filters.Count; f++)
            {
                if (chain.Filters[f].TypedConfig?.Is(HttpConnectionManager.Descriptor) == true)
                    yield return (chain.Filters[f], $"default_filter_chain.filters[{f}].typed_config");
            }
        }
    }
}
