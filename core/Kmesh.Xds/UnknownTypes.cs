using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Envoy.Api;

namespace Kmesh.Xds;

/// <summary>
/// Keeping a <c>google.protobuf.Any</c> whose type Kmesh does not know (Istio's own filters,
/// Envoy extensions outside the compiled API) as its type URL with an empty value.
/// </summary>
/// <remarks>
/// Google.Protobuf's JSON parser refuses an Any whose type is not in the registry, so the
/// writer puts a placeholder in its place: the original URL followed by <see cref="Marker"/>.
/// The parser resolves a type URL by the name after its last '/', here an empty Struct, and
/// keeps the URL as written; <see cref="Restore"/> then strips the marker and clears the
/// value, also inside Anys of known types, which hold their content as bytes.
/// </remarks>
internal static class UnknownTypes
{
    // \u0001 cannot occur in a type URL anyone writes, so the marker is never genuine.
    private const string Marker = "\u0001kmesh-unknown-type/google.protobuf.Struct";

    private static readonly Lazy<Dictionary<string, List<string>>> TypesByPackage = new(IndexTypes);

    /// <summary>The type URL to write in place of an unknown one.</summary>
    public static string Placeholder(string typeUrl) => typeUrl + Marker;

    /// <summary>The name of the type a URL names: the part after its last '/'.</summary>
    public static string TypeName(string typeUrl) => typeUrl[(typeUrl.LastIndexOf('/') + 1)..];

    /// <summary>
    /// <c> (did you mean '...'?)</c> when a known type of the same package is one typo away
    /// (a letter wrong, missing, extra, or two swapped; or only the case differs); else empty.
    /// </summary>
    public static string Hint(string typeUrl)
    {
        var name = TypeName(typeUrl);
        var dot = name.LastIndexOf('.');
        if (dot < 0 || !TypesByPackage.Value.TryGetValue(name[..dot], out var names))
            return "";
        var simple = name[(dot + 1)..];
        var match = names.FirstOrDefault(n => OneTypoApart(simple.ToLowerInvariant(), n.ToLowerInvariant()));
        return match is null ? "" : $" (did you mean '{typeUrl[..^simple.Length]}{match}'?)";
    }

    /// <summary>
    /// Turns every placeholder in a message just parsed back into the unknown type URL with an
    /// empty value. Returns whether anything changed.
    /// </summary>
    public static bool Restore(IMessage message, TypeRegistry registry)
    {
        if (message is Any any)
            return RestoreAny(any, registry);
        var changed = false;
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            if (field.FieldType is not (FieldType.Message or FieldType.Group))
                continue;
            var value = field.Accessor.GetValue(message);
            if (field.IsMap)
            {
                if (field.MessageType.FindFieldByNumber(2).FieldType is FieldType.Message)
                {
                    foreach (DictionaryEntry entry in (IDictionary)value)
                        changed |= entry.Value is IMessage m && Restore(m, registry);
                }
            }
            else if (field.IsRepeated)
            {
                foreach (var item in (IList)value)
                    changed |= Restore((IMessage)item, registry);
            }
            else if (value is IMessage m)
            {
                changed |= Restore(m, registry);
            }
        }
        return changed;
    }

    private static bool RestoreAny(Any any, TypeRegistry registry)
    {
        if (any.TypeUrl.EndsWith(Marker, StringComparison.Ordinal))
        {
            any.TypeUrl = any.TypeUrl[..^Marker.Length];
            any.Value = ByteString.Empty;
            return true;
        }
        // A known Any holds its content as bytes; a placeholder may be inside them.
        if (registry.Find(TypeName(any.TypeUrl)) is not { } type || type.File.Package == "google.protobuf" && type.FullName != "google.protobuf.Any")
            return false;
        var content = type.Parser.ParseFrom(any.Value);
        if (!Restore(content, registry))
            return false;
        any.Value = content.ToByteString();
        return true;
    }

    private static Dictionary<string, List<string>> IndexTypes()
    {
        var index = new Dictionary<string, List<string>>();
        foreach (var file in EnvoyTypes.Files)
        {
            if (!index.TryGetValue(file.Package, out var names))
                index[file.Package] = names = [];
            names.AddRange(file.MessageTypes.Select(t => t.Name));
        }
        return index;
    }

    private static bool OneTypoApart(string a, string b)
    {
        if (a == b)
            return true;
        if (Math.Abs(a.Length - b.Length) > 1)
            return false;
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
            i++;
        if (a.Length != b.Length)
        {
            // One letter missing or extra: the rests after it are the same.
            var (longer, shorter) = a.Length > b.Length ? (a, b) : (b, a);
            return longer[(i + 1)..] == shorter[i..];
        }
        return a[(i + 1)..] == b[(i + 1)..]
            || i + 1 < a.Length && a[i] == b[i + 1] && a[i + 1] == b[i] && a[(i + 2)..] == b[(i + 2)..];
    }
}
