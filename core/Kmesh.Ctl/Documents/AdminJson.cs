using System.Text.Json;
using Kmesh.Ctl.Admin;

namespace Kmesh.Ctl.Documents;

/// <summary>Reads the admin API's JSON documents (snake_case members, docs/admin-api.md) into records.</summary>
internal static class AdminJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // Members a newer daemon adds are ignored; members it drops stay null.
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    public static T Read<T>(string json, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new AdminResponseException(path, "the answer is null");
        }
        catch (JsonException e)
        {
            throw new AdminResponseException(path, e.Message, e);
        }
    }
}
