using System.Collections;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Envoy.Api;
using Microsoft.AspNetCore.Http;
using EnvoyConfigDump = Envoy.Admin.V3.ConfigDump;

namespace Kmesh.Ctl.Tests;

/// <summary>
/// <c>/config_dump</c> as Envoy answers it: protobuf JSON with proto field names, <c>?resource=FIELD</c>
/// returning the entries of that field themselves, <c>?name_regex=RE</c> keeping resources whose name matches.
/// </summary>
internal sealed class ConfigDumpServer(EnvoyConfigDump dump, string? rawJson = null)
{
    public static readonly TypeRegistry Registry = TypeRegistry.FromFiles([.. EnvoyTypes.Files, StructReflection.Descriptor]);

    private static readonly JsonFormatter Formatter =
        new(JsonFormatter.Settings.Default.WithTypeRegistry(Registry).WithPreserveProtoFieldNames(true));

    public EnvoyConfigDump Dump { get; } = dump;

    /// <summary>A dump served byte for byte as given (a real Envoy's), when there is no query.</summary>
    public static ConfigDumpServer Raw(string json) => new(new EnvoyConfigDump(), json);

    public static string ToJson(IMessage message) => Formatter.Format(message);

    public IResult Answer(string? resource, string? nameRegex)
    {
        if (rawJson is not null && resource is null && nameRegex is null)
            return Results.Text(rawJson, "application/json");
        var keep = nameRegex is null ? (Func<IMessage, bool>)(_ => true) : entry => NameOf(entry) is { } name && Regex.IsMatch(name, nameRegex);
        var sections = Dump.Configs.Select(any => any.Unpack(Registry)).ToList();
        var answer = new EnvoyConfigDump();
        if (resource is not null)
        {
            var fields = sections.Select(s => s.Descriptor.FindFieldByName(resource)).Where(f => f is { IsRepeated: true }).ToList();
            if (fields.Count == 0)
                return Results.Text($"{resource} not found in config dump", statusCode: 404);
            foreach (var section in sections)
            {
                if (section.Descriptor.FindFieldByName(resource) is { IsRepeated: true } field)
                    answer.Configs.AddRange(Entries(section, field).Where(keep).Select(Any.Pack));
            }
        }
        else
        {
            foreach (var section in sections)
            {
                var copy = section.Descriptor.Parser.ParseFrom(section.ToByteString());
                foreach (var field in copy.Descriptor.Fields.InDeclarationOrder().Where(f => f.IsRepeated && !f.IsMap && f.FieldType == FieldType.Message))
                {
                    var list = (IList)field.Accessor.GetValue(copy);
                    foreach (var entry in list.Cast<IMessage>().Where(e => !keep(e)).ToList())
                        list.Remove(entry);
                }
                answer.Configs.Add(Any.Pack(copy));
            }
        }
        return Results.Text(ToJson(answer), "application/json");
    }

    private static IEnumerable<IMessage> Entries(IMessage section, FieldDescriptor field) =>
        ((IList)field.Accessor.GetValue(section)).Cast<IMessage>();

    // An entry's resource name: its own "name" (DynamicListener), else the name of the resource it wraps.
    private static string? NameOf(IMessage entry)
    {
        if (entry.Descriptor.FindFieldByName("name") is { FieldType: FieldType.String } own && own.Accessor.GetValue(entry) is string name && name.Length > 0)
            return name;
        foreach (var field in entry.Descriptor.Fields.InDeclarationOrder().Where(f => f.FieldType == FieldType.Message))
        {
            var value = field.Accessor.GetValue(entry) as IMessage;
            var inner = value switch
            {
                Any any => any.Unpack(Registry),
                not null when field.MessageType.FindFieldByName("listener") is not null => (field.MessageType.FindFieldByName("listener").Accessor.GetValue(value) as Any)?.Unpack(Registry),
                _ => null,
            };
            if (inner is null)
                continue;
            foreach (var nameField in new[] { "name", "cluster_name" })
            {
                if (inner.Descriptor.FindFieldByName(nameField)?.Accessor.GetValue(inner) is string found && found.Length > 0)
                    return found;
            }
        }
        return null;
    }
}
