using System.CommandLine;
using System.Text.RegularExpressions;
using Kmesh.Ctl.Admin;
using Kmesh.Ctl.ConfigDump;
using Kmesh.Ctl.Output;

namespace Kmesh.Ctl.Commands;

/// <summary>
/// <c>kmesh ctl config dump [listeners|clusters|endpoints|routes]</c>: the config in force, read
/// from <c>/config_dump</c> as Envoy's ConfigDump and shown like <c>istioctl proxy-config</c>.
/// </summary>
internal static class ConfigDumpCommand
{
    // The ConfigDump field each kind lives in (docs/admin-api.md: the daemon's resources are dynamic_* entries).
    internal static readonly IReadOnlyDictionary<string, string> ResourceFields = new Dictionary<string, string>
    {
        ["listeners"] = "dynamic_listeners",
        ["clusters"] = "dynamic_active_clusters",
        ["endpoints"] = "dynamic_endpoint_configs",
        ["routes"] = "dynamic_route_configs",
    };

    public static Command Create(CtlContext context)
    {
        var kind = new Argument<string?>("KIND")
        {
            Description = "only listeners, clusters, endpoints or routes (default: all four)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        kind.AcceptOnlyFromAmong([.. ResourceFields.Keys]);
        var name = new Option<string?>("--name")
        {
            Description = "only resources whose name matches REGEX (Envoy's ?name_regex=)",
            HelpName = "REGEX",
        };
        name.Validators.Add(result =>
        {
            try
            {
                _ = new Regex(result.GetValueOrDefault<string?>() ?? "");
            }
            catch (ArgumentException e)
            {
                result.AddError($"--name: not a regular expression: {e.Message}");
            }
        });
        var format = CtlOptions.OutputFormat();
        var dump = new Command("dump", "the listeners, clusters, endpoints and routes in force, like istioctl proxy-config") { kind, name, format };
        dump.SetAction(async (parse, ct) =>
        {
            using var admin = context.Connect(parse);
            var only = parse.GetValue(kind);
            var regex = parse.GetValue(name);
            var json = await admin.GetAsync(Query(only, regex), ct);
            if (context.Output.Resolve(parse.GetValue(format)) == OutputFormat.Json)
            {
                context.Output.WriteJson(json);
                return 0;
            }
            var resources = DumpedResources.From(ConfigDumpReader.Parse(json));
            if (only == "clusters")
            {
                // A clusters-only answer has no EDS assignments; fetch them to count each cluster's endpoints.
                var endpoints = DumpedResources.From(ConfigDumpReader.Parse(await admin.GetAsync(Query("endpoints", null), ct)));
                resources.Endpoints.AddRange(endpoints.Endpoints);
            }
            Write(context.Output, resources, only);
            return 0;
        });
        return new Command("config", "the config in force") { dump };
    }

    internal static string Query(string? kind, string? nameRegex)
    {
        var parameters = new List<string>();
        if (kind is not null)
            parameters.Add("resource=" + ResourceFields[kind]);
        if (!string.IsNullOrEmpty(nameRegex))
            parameters.Add("name_regex=" + Uri.EscapeDataString(nameRegex));
        return parameters.Count == 0 ? "config_dump" : "config_dump?" + string.Join("&", parameters);
    }

    private static void Write(CtlOutput output, DumpedResources resources, string? only)
    {
        var sections = new (string Kind, Func<Spectre.Console.Table> Build)[]
        {
            ("listeners", () => ListenerTable.Build(resources.Listeners)),
            ("clusters", () => ClusterTable.Build(resources.Clusters, resources.Endpoints)),
            ("endpoints", () => EndpointTable.Build(resources.Endpoints)),
            ("routes", () => RouteTable.Build(resources.Routes)),
        };
        var first = true;
        foreach (var (kind, build) in sections.Where(s => only is null || s.Kind == only))
        {
            if (only is null)
            {
                if (!first)
                    output.WriteLine("");
                output.WriteLine(kind.ToUpperInvariant() + ":");
            }
            first = false;
            output.Write(build());
        }
    }
}
