using System.Buffers;
using System.Text;
using System.Text.Json;
using Google.Protobuf.Reflection;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// Turns a YAML node into protobuf JSON for a given message type, walking the message's
/// descriptor alongside. Walking the schema is what lets every mistake it can see (unknown
/// field, wrong kind of value, unknown enum name or <c>@type</c>, two members of a oneof) be
/// reported at the exact YAML node; Google.Protobuf's JSON parser then does the rest. An
/// <c>Any</c> of a type that is not compiled in is written as a placeholder with a warning
/// (see <see cref="UnknownTypes"/>).
/// </summary>
internal sealed class YamlProtoWriter(YamlSource source, TypeRegistry registry)
{
    private readonly List<ConfigWarning> _pending = [];

    private const string AnyName = "google.protobuf.Any";
    private const string ValueName = "google.protobuf.Value";
    private const string NullValueName = "google.protobuf.NullValue";

    // Types whose JSON form is not an object of their fields.
    private static readonly HashSet<string> SpecialJson =
    [
        AnyName, ValueName, "google.protobuf.Struct", "google.protobuf.ListValue",
        "google.protobuf.Duration", "google.protobuf.Timestamp", "google.protobuf.FieldMask",
        "google.protobuf.DoubleValue", "google.protobuf.FloatValue", "google.protobuf.Int64Value",
        "google.protobuf.UInt64Value", "google.protobuf.Int32Value", "google.protobuf.UInt32Value",
        "google.protobuf.BoolValue", "google.protobuf.StringValue", "google.protobuf.BytesValue",
    ];

    /// <summary>The JSON of a message; <paramref name="skipTypeKey"/> drops a leading <c>@type</c>.</summary>
    public string MessageJson(YamlNode node, MessageDescriptor type, string path, bool skipTypeKey = false) =>
        Write(w =>
        {
            if (node is YamlMappingNode map)
                WriteFields(w, map, type, path, skipTypeKey);
            else
                WriteMessage(w, node, type, path);
        });

    /// <summary>The JSON object <c>{field: value}</c> alone, to test one field in isolation.</summary>
    public string FieldJson(FieldDescriptor field, YamlNode value, string path) =>
        Write(w =>
        {
            w.WriteStartObject();
            if (!IsNull(value) || KeepsNull(field))
            {
                w.WritePropertyName(field.JsonName);
                WriteField(w, field, value, path);
            }
            w.WriteEndObject();
        });

    /// <summary>The field a key names, by proto name or JSON (lowerCamel) name.</summary>
    public static FieldDescriptor? FindField(MessageDescriptor type, string key) =>
        type.FindFieldByName(key) ?? type.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == key);

    /// <summary>Whether this type has a JSON form of its own rather than an object of fields.</summary>
    public static bool IsSpecial(MessageDescriptor type) => SpecialJson.Contains(type.FullName);

    /// <summary>Whether this is one of google/protobuf/wrappers.proto's types, whose JSON is the bare value.</summary>
    public static bool IsWrapper(MessageDescriptor type) => type.File.Name == "google/protobuf/wrappers.proto";

    /// <summary>
    /// Warnings about unknown <c>@type</c>s met since the last <see cref="TakeWarnings"/>. They
    /// are held back until the message they are in parses, so that the narrowing down of an
    /// error (which writes fields again) does not repeat them.
    /// </summary>
    public List<ConfigWarning> TakeWarnings()
    {
        var taken = _pending.ToList();
        _pending.Clear();
        return taken;
    }

    /// <summary>
    /// Resolves the <c>@type</c> of an <c>Any</c> mapping; null when no type of that name is
    /// compiled in. Throws when there is no <c>@type</c>.
    /// </summary>
    public MessageDescriptor? TryResolveAny(YamlMappingNode map, string path, out string typeUrl, out YamlNode typeNode)
    {
        var entry = map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: "@type" });
        if (entry.Value is not YamlScalarNode { Value: { Length: > 0 } url })
            throw source.Error(map, path, "missing \"@type\": an Any needs the type URL of its content");
        typeUrl = url;
        typeNode = entry.Value;
        return registry.Find(UnknownTypes.TypeName(url));
    }

    /// <summary>The type an <c>Any</c> mapping's <c>@type</c> names, or null when it has none or it is not compiled in.</summary>
    public MessageDescriptor? TryResolveAnyQuietly(YamlMappingNode map) =>
        map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: "@type" }).Value is YamlScalarNode { Value: { Length: > 0 } url }
            ? registry.Find(UnknownTypes.TypeName(url))
            : null;

    /// <summary>The error for an <c>@type</c> that must be known here.</summary>
    public ConfigParseException UnknownType(YamlNode typeNode, string path, string typeUrl) =>
        source.Error(typeNode, FieldPath.Field(path, "@type"),
            $"unknown @type '{typeUrl}': Kmesh does not know the message type {UnknownTypes.TypeName(typeUrl)}{UnknownTypes.Hint(typeUrl)}");

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
            body(w);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode s && YamlScalar.Classify(s) == ScalarKind.Null;

    // A null means "unset" everywhere except where null is itself a value.
    private static bool KeepsNull(FieldDescriptor field) =>
        field.FieldType == FieldType.Message && field.MessageType.FullName == ValueName && !field.IsRepeated
        || field.FieldType == FieldType.Enum && field.EnumType.FullName == NullValueName;

    private void WriteFields(Utf8JsonWriter w, YamlMappingNode map, MessageDescriptor type, string path,
        bool skipTypeKey, string? anyTypeUrl = null)
    {
        w.WriteStartObject();
        if (anyTypeUrl is not null)
            w.WriteString("@type", anyTypeUrl);
        var seen = new Dictionary<int, string>();
        var oneofs = new Dictionary<OneofDescriptor, string>();
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
                throw source.Error(keyNode, path, "a field name must be a plain string");
            if (skipTypeKey && key == "@type")
                continue;
            var fieldPath = FieldPath.Field(path, key);
            var field = FindField(type, key)
                ?? throw source.Error(keyNode, fieldPath, $"unknown field '{key}' in {type.FullName}");
            if (!seen.TryAdd(field.FieldNumber, key))
                throw source.Error(keyNode, fieldPath, $"'{key}' sets the same field as '{seen[field.FieldNumber]}'");
            if (field.RealContainingOneof is { } oneof && !IsNull(value) && !oneofs.TryAdd(oneof, key))
                throw source.Error(keyNode, fieldPath,
                    $"'{key}' and '{oneofs[oneof]}' cannot both be set: they are alternatives ({oneof.Name})");
            if (IsNull(value) && !KeepsNull(field))
                continue;
            w.WritePropertyName(field.JsonName);
            WriteField(w, field, value, fieldPath);
        }
        w.WriteEndObject();
    }

    private void WriteField(Utf8JsonWriter w, FieldDescriptor field, YamlNode node, string path)
    {
        if (field.IsMap)
        {
            if (node is not YamlMappingNode map)
                throw source.Error(node, path, "expected a mapping");
            var valueField = field.MessageType.FindFieldByNumber(2);
            w.WriteStartObject();
            foreach (var (key, value) in map.Children)
            {
                var keyText = key is YamlScalarNode { Value: { } k } ? k : throw source.Error(key, path, "a map key must be a scalar");
                w.WritePropertyName(keyText);
                WriteSingle(w, valueField, value, FieldPath.MapKey(path, keyText));
            }
            w.WriteEndObject();
        }
        else if (field.IsRepeated)
        {
            w.WriteStartArray();
            if (node is YamlSequenceNode list)
            {
                var i = 0;
                foreach (var item in list.Children)
                    WriteSingle(w, field, item, FieldPath.Index(path, i++));
            }
            else
            {
                // Envoy reads a lone value where a list is expected as a list of one, and real
                // configs rely on it (dynamic-config-fs's lds.yaml writes `filters:` that way).
                WriteSingle(w, field, node, FieldPath.Index(path, 0));
            }
            w.WriteEndArray();
        }
        else
        {
            WriteSingle(w, field, node, path);
        }
    }

    private void WriteSingle(Utf8JsonWriter w, FieldDescriptor field, YamlNode node, string path)
    {
        switch (field.FieldType)
        {
            case FieldType.Message or FieldType.Group:
                WriteMessage(w, node, field.MessageType, path);
                break;
            case FieldType.Enum:
                WriteEnum(w, field.EnumType, node, path);
                break;
            case FieldType.Bool:
                var b = Scalar(node, path, "expected true or false");
                if (b.Kind != ScalarKind.Bool)
                    throw source.Error(node, path, b.Quoted ? "expected true or false, unquoted" : $"expected true or false, not '{b.Text}'");
                w.WriteBooleanValue(YamlScalar.AsBool(b.Text));
                break;
            case FieldType.String or FieldType.Bytes:
                var s = Scalar(node, path, "expected a string");
                if (s.Kind != ScalarKind.String)
                    throw source.Error(node, path, $"expected a string; quote {s.Text} to use it as one");
                w.WriteStringValue(s.Text);
                break;
            default:
                WriteNumber(w, field.FieldType, node, path);
                break;
        }
    }

    private void WriteNumber(Utf8JsonWriter w, FieldType type, YamlNode node, string path)
    {
        var isFloat = type is FieldType.Float or FieldType.Double;
        var n = Scalar(node, path, "expected a number");
        switch (n.Kind)
        {
            case ScalarKind.Integer or ScalarKind.Float:
                SchemaFreeWriter.WriteNumber(w, n.Kind, n.Text);
                break;
            case ScalarKind.String when n.Quoted || isFloat && n.Text is "NaN" or "Infinity" or "-Infinity":
                // Protobuf JSON takes numbers in strings too (64-bit values are written so).
                w.WriteStringValue(n.Text);
                break;
            default:
                throw source.Error(node, path, $"expected a number, not '{n.Text}'");
        }
    }

    private void WriteEnum(Utf8JsonWriter w, EnumDescriptor type, YamlNode node, string path)
    {
        if (type.FullName == NullValueName)
        {
            w.WriteNullValue();
            return;
        }
        var e = Scalar(node, path, $"expected a {type.Name} name");
        if (e.Kind == ScalarKind.Integer)
        {
            w.WriteRawValue(YamlScalar.IntegerJson(e.Text));
            return;
        }
        if (type.FindValueByName(e.Text) is null)
        {
            var names = type.Values.Select(v => v.Name).ToList();
            var shown = string.Join(", ", names.Take(12)) + (names.Count > 12 ? ", ..." : "");
            throw source.Error(node, path, $"unknown {type.FullName} value '{e.Text}'; expected one of {shown}");
        }
        w.WriteStringValue(e.Text);
    }

    private void WriteMessage(Utf8JsonWriter w, YamlNode node, MessageDescriptor type, string path)
    {
        switch (type.FullName)
        {
            case AnyName:
                WriteAny(w, node, path);
                return;
            case ValueName or "google.protobuf.Struct" or "google.protobuf.ListValue":
                if (type.FullName == "google.protobuf.Struct" && node is not YamlMappingNode)
                    throw source.Error(node, path, "expected a mapping");
                if (type.FullName == "google.protobuf.ListValue" && node is not YamlSequenceNode)
                    throw source.Error(node, path, "expected a list");
                SchemaFreeWriter.Write(w, node, path, source);
                return;
            case "google.protobuf.Duration" or "google.protobuf.Timestamp" or "google.protobuf.FieldMask":
                var t = Scalar(node, path, "expected a string");
                if (type.FullName == "google.protobuf.Duration" && t.Kind is ScalarKind.Integer or ScalarKind.Float)
                    throw source.Error(node, path, $"expected a duration with a unit, such as \"{t.Text}s\"");
                w.WriteStringValue(t.Text);
                return;
        }
        if (IsWrapper(type))
        {
            // A wrapper's JSON is its bare value: check it as the wrapped field itself.
            WriteSingle(w, type.FindFieldByName("value"), node, path);
            return;
        }
        if (node is not YamlMappingNode map)
        {
            var shown = node is YamlScalarNode sc ? $", not '{sc.Value}'" : ", not a list";
            throw source.Error(node, path, $"expected a mapping ({type.FullName}){shown}");
        }
        WriteFields(w, map, type, path, skipTypeKey: false);
    }

    private void WriteAny(Utf8JsonWriter w, YamlNode node, string path)
    {
        if (node is not YamlMappingNode map)
            throw source.Error(node, path, "expected a mapping with an \"@type\"");
        if (TryResolveAny(map, path, out var url, out var typeNode) is not { } type)
        {
            // Not a type of the compiled API (an Istio filter, a newer Envoy extension): kept as
            // the type URL alone, which whoever reads the config skips; the rest still applies.
            // The parser would refuse the URL, so a placeholder stands in until Restore.
            _pending.Add(source.Warning(typeNode, path,
                $"unknown @type '{url}': Kmesh does not know the message type {UnknownTypes.TypeName(url)}{UnknownTypes.Hint(url)}; " +
                "its content is not read and what it configures is not applied"));
            w.WriteStartObject();
            w.WriteString("@type", UnknownTypes.Placeholder(url));
            w.WritePropertyName("value");
            w.WriteStartObject();
            w.WriteEndObject();
            w.WriteEndObject();
            return;
        }
        if (!IsSpecial(type))
        {
            // The resolved type's fields are checked like any message's, "@type" written first.
            WriteFields(w, map, type, path, skipTypeKey: true, anyTypeUrl: url);
            return;
        }
        w.WriteStartObject();
        w.WriteString("@type", url);
        foreach (var (key, value) in map.Children)
        {
            var name = (key as YamlScalarNode)?.Value;
            if (name == "@type")
                continue;
            if (name != "value")
                throw source.Error(key, FieldPath.Field(path, name ?? "?"), $"unknown field '{name}': an Any holding {type.FullName} has only \"value\"");
            w.WritePropertyName("value");
            WriteMessage(w, value, type, FieldPath.Field(path, "value"));
        }
        w.WriteEndObject();
    }

    private (string Text, ScalarKind Kind, bool Quoted) Scalar(YamlNode node, string path, string expected)
    {
        if (node is not YamlScalarNode s)
            throw source.Error(node, path, $"{expected}, not a {(node is YamlSequenceNode ? "list" : "mapping")}");
        return (s.Value ?? "", YamlScalar.Classify(s), s.Style is not (YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any));
    }
}
