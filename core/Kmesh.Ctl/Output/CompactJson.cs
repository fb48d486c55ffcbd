using System.Text;
using System.Text.Json;

namespace Kmesh.Ctl.Output;

/// <summary>
/// A JSON value in one short line for a table cell: objects as <c>cluster_id=3 slot=0</c>,
/// arrays as <c>[1,2]</c>, nested objects in braces, strings (such as a key without BTF, in hex) bare.
/// </summary>
internal static class CompactJson
{
    public static string Render(JsonElement value)
    {
        var text = new StringBuilder();
        Append(text, value, topLevel: true);
        return text.ToString();
    }

    private static void Append(StringBuilder text, JsonElement value, bool topLevel)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                if (!topLevel)
                    text.Append('{');
                var first = true;
                foreach (var member in value.EnumerateObject())
                {
                    if (!first)
                        text.Append(' ');
                    first = false;
                    text.Append(member.Name).Append('=');
                    Append(text, member.Value, topLevel: false);
                }
                if (!topLevel)
                    text.Append('}');
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    // Arrays of numbers stay dense; arrays of objects (per-CPU values) need a separator you can see.
                    if (index++ > 0)
                        text.Append(item.ValueKind is JsonValueKind.Object ? " " : ",");
                    Append(text, item, topLevel: false);
                }
                text.Append(']');
                break;
            case JsonValueKind.String:
                text.Append(value.GetString());
                break;
            default:
                text.Append(value.GetRawText());
                break;
        }
    }
}
