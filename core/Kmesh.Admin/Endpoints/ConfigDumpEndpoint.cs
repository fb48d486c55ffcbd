using System.Text.RegularExpressions;
using Envoy.Admin.V3;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Core.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Kmesh.Admin.Endpoints;

/// <summary>
/// <c>/config_dump</c> with Envoy's filters: <c>?resource=FIELD</c> returns the entries of that
/// repeated field of the dumps (e.g. <c>dynamic_active_clusters</c>), each as its own <c>Any</c>;
/// <c>?name_regex=RE</c> keeps the entries whose resource name matches.
/// </summary>
internal sealed class ConfigDumpEndpoint(IServiceProvider daemon)
{
    public IResult Get(HttpRequest request)
    {
        var resource = request.Query["resource"].ToString();
        var pattern = request.Query["name_regex"].ToString();
        Regex? nameRegex = null;
        if (pattern.Length > 0)
        {
            try
            {
                nameRegex = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                return Results.Text($"name_regex '{pattern}' is not a regular expression: {e.Message}\n", statusCode: StatusCodes.Status400BadRequest);
            }
        }
        var status = daemon.GetRequiredService<DaemonStatus>();
        var dump = new ConfigDump();
        if (status.Current is not { } applied)
            return Json(dump);
        var dumps = ConfigDumpBuilder.Dumps(applied, status.Xds?.AcceptedVersions);
        if (resource.Length > 0)
        {
            var field = dumps.SelectMany(d => d.Descriptor.Fields.InDeclarationOrder().Select(f => (Dump: d, Field: f)))
                .FirstOrDefault(x => x.Field.Name == resource && x.Field.IsRepeated && x.Field.FieldType == FieldType.Message);
            if (field.Field is null)
                return Results.Text($"resource '{resource}' is not a repeated field of the config dump (e.g. dynamic_listeners, dynamic_active_clusters, dynamic_route_configs, dynamic_endpoint_configs)\n",
                    statusCode: StatusCodes.Status400BadRequest);
            foreach (IMessage entry in (System.Collections.IList)field.Field.Accessor.GetValue(field.Dump))
            {
                if (nameRegex is null || nameRegex.IsMatch(ConfigDumpBuilder.NameOf(entry)))
                    dump.Configs.Add(Any.Pack(entry));
            }
            return Json(dump);
        }
        foreach (var one in dumps)
            dump.Configs.Add(Any.Pack(nameRegex is null ? one : Filtered(one, nameRegex)));
        var plugins = new PluginsEndpoint(daemon).Documents();
        dump.Configs.Add(Any.Pack(ConfigDumpBuilder.KmeshSection(applied, plugins)));
        return Json(dump);
    }

    /// <summary>A copy of a dump with only the entries whose name matches.</summary>
    private static IMessage Filtered(IMessage dump, Regex nameRegex)
    {
        var copy = dump.Descriptor.Parser.ParseFrom(dump.ToByteString());
        foreach (var field in copy.Descriptor.Fields.InDeclarationOrder().Where(f => f.IsRepeated && f.FieldType == FieldType.Message))
        {
            var list = (System.Collections.IList)field.Accessor.GetValue(copy);
            for (var i = list.Count - 1; i >= 0; i--)
            {
                if (!nameRegex.IsMatch(ConfigDumpBuilder.NameOf((IMessage)list[i]!)))
                    list.RemoveAt(i);
            }
        }
        return copy;
    }

    private static IResult Json(ConfigDump dump) => Results.Text(ConfigDumpBuilder.Formatter.Format(dump) + "\n", "application/json");
}
