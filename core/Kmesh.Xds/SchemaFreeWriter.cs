using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// Writes YAML as JSON with no schema to follow (the content of a <c>google.protobuf.Struct</c>
/// or <c>Value</c>, such as metadata), so scalars take the type YAML gives them.
/// </summary>
internal static class SchemaFreeWriter
{
    public static void Write(Utf8JsonWriter w, YamlNode node, string path, YamlSource source)
    {
        switch (node)
        {
            case YamlMappingNode map:
                w.WriteStartObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = key is YamlScalarNode { Value: { } k } ? k : throw source.Error(key, path, "a key must be a scalar");
                    w.WritePropertyName(name);
                    Write(w, value, FieldPath.MapKey(path, name), source);
                }
                w.WriteEndObject();
                break;
            case YamlSequenceNode list:
                w.WriteStartArray();
                var i = 0;
                foreach (var item in list.Children)
                    Write(w, item, FieldPath.Index(path, i++), source);
                w.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                var text = scalar.Value ?? "";
                switch (YamlScalar.Classify(scalar))
                {
                    case ScalarKind.Null: w.WriteNullValue(); break;
                    case ScalarKind.Bool: w.WriteBooleanValue(YamlScalar.AsBool(text)); break;
                    case var number and (ScalarKind.Integer or ScalarKind.Float): WriteNumber(w, number, text); break;
                    default: w.WriteStringValue(text); break;
                }
                break;
            default:
                throw source.Error(node, path, "unsupported YAML node");
        }
    }

    /// <summary>A YAML integer or float as a JSON number (or the string protobuf JSON uses for NaN and infinities).</summary>
    public static void WriteNumber(Utf8JsonWriter w, ScalarKind kind, string text)
    {
        if (kind == ScalarKind.Integer)
        {
            w.WriteRawValue(YamlScalar.IntegerJson(text));
            return;
        }
        var (isString, json) = YamlScalar.FloatJson(text);
        if (isString)
            w.WriteStringValue(json);
        else
            w.WriteRawValue(json);
    }
}
