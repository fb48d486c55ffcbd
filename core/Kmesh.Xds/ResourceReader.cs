using Google.Protobuf;
using Google.Protobuf.Reflection;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// Reads one resource node into a message: YAML to JSON through <see cref="YamlProtoWriter"/>,
/// then Google.Protobuf's <see cref="JsonParser"/>. The parser says what is wrong but not
/// where, so on failure the resource is narrowed down field by field, re-parsing each one
/// alone, until the offending YAML node is found. Warnings about unknown types in the
/// resource are recorded only once it has parsed.
/// </summary>
internal sealed class ResourceReader(YamlSource source, TypeRegistry registry)
{
    private readonly YamlProtoWriter _writer = new(source, registry);

    private readonly JsonParser _parser = new(JsonParser.Settings.Default
        .WithTypeRegistry(registry)
        .WithIgnoreUnknownFields(false)
        .WithRecursionLimit(200));

    public YamlProtoWriter Writer => _writer;

    public IMessage Read(YamlNode node, MessageDescriptor type, string path, bool skipTypeKey = false)
    {
        _writer.TakeWarnings();
        var json = _writer.MessageJson(node, type, path, skipTypeKey);
        if (!TryParse(json, type, out var message, out var error))
            throw Locate(node, type, path, error);
        var warnings = _writer.TakeWarnings();
        if (warnings.Count > 0)
        {
            UnknownTypes.Restore(message, registry);
            source.Warn(warnings);
        }
        return message;
    }

    private bool TryParse(string json, MessageDescriptor type, out IMessage message, out Exception error)
    {
        try
        {
            message = _parser.Parse(json, type);
            error = null!;
            return true;
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or InvalidJsonException
                                       or FormatException or OverflowException or ArgumentException)
        {
            message = null!;
            error = ex;
            return false;
        }
    }

    private ConfigParseException Locate(YamlNode node, MessageDescriptor type, string path, Exception error)
    {
        if (node is not YamlMappingNode map)
            return source.Error(node, path, error.Message, error);
        foreach (var (key, value) in map.Children)
        {
            var name = ((YamlScalarNode)key).Value!;
            if (name == "@type" || YamlProtoWriter.FindField(type, name) is not { } field)
                continue;
            var fieldPath = FieldPath.Field(path, name);
            if (!TryParse(_writer.FieldJson(field, value, fieldPath), type, out _, out var fieldError))
                return LocateField(field, value, fieldPath, fieldError);
        }
        // No field fails alone: the fields disagree with each other; blame the message.
        return source.Error(map, path, error.Message, error);
    }

    private ConfigParseException LocateField(FieldDescriptor field, YamlNode node, string path, Exception error)
    {
        var owner = field.ContainingType;
        if (field.IsMap && node is YamlMappingNode map)
        {
            foreach (var (key, value) in map.Children)
            {
                var entryPath = FieldPath.MapKey(path, ((YamlScalarNode)key).Value!);
                var single = new YamlMappingNode(key, value);
                if (!TryParse(_writer.FieldJson(field, single, path), owner, out _, out var e))
                    return LocateValue(field.MessageType.FindFieldByNumber(2), value, entryPath, e);
            }
        }
        else if (field.IsRepeated && node is YamlSequenceNode list)
        {
            for (var i = 0; i < list.Children.Count; i++)
            {
                var single = new YamlSequenceNode(list.Children[i]);
                if (!TryParse(_writer.FieldJson(field, single, path), owner, out _, out var e))
                    return LocateValue(field, list.Children[i], FieldPath.Index(path, i), e);
            }
        }
        return LocateValue(field, node, path, error);
    }

    private ConfigParseException LocateValue(FieldDescriptor field, YamlNode node, string path, Exception error)
    {
        if (field.FieldType == FieldType.Message && !field.IsMap && node is YamlMappingNode map)
        {
            MessageDescriptor? type = field.MessageType;
            if (type.FullName == "google.protobuf.Any")
                type = _writer.TryResolveAny(map, path, out _, out _);
            // An Any of an unknown type is written as a placeholder, which cannot be at fault.
            if (type is not null && !YamlProtoWriter.IsSpecial(type) && !YamlProtoWriter.IsWrapper(type))
                return Locate(map, type, path, error);
        }
        return source.Error(node, path, error.Message, error);
    }
}
