using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kmesh.Ctl.Output;

/// <summary>Re-indents JSON without changing it: same members, same order, numbers as written.</summary>
internal static class PrettyJson
{
    private static readonly JsonWriterOptions Indented = new()
    {
        Indented = true,
        // Keep '<', '&', '+' and non-ASCII readable: this is for eyes and jq, not for HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Indent(string json)
    {
        using var document = JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Indented))
            document.WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
