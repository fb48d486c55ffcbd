using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kmesh.Admin.Endpoints;

/// <summary>The admin API's JSON conventions: snake_case names, nulls written, enums as text (docs/admin-api.md).</summary>
internal static class AdminJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>One line per object, for streams (the access log).</summary>
    public static JsonSerializerOptions Compact { get; } = new(Options) { WriteIndented = false };
}
