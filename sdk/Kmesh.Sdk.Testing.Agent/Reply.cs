using System.Buffers;
using System.Text.Json;

namespace Kmesh.Sdk.Testing.Agent;

/// <summary>Builds the JSON reply lines (Utf8JsonWriter only, so nothing depends on reflection).</summary>
internal static class Reply
{
    public static byte[] Ok(Action<Utf8JsonWriter>? body = null) => Build(w =>
    {
        w.WriteBoolean("ok", true);
        body?.Invoke(w);
    });

    public static byte[] Error(string message, string? errno = null) => Build(w =>
    {
        w.WriteBoolean("ok", false);
        w.WriteString("error", message);
        if (errno is not null)
        {
            w.WriteString("errno", errno);
        }
    });

    public static byte[] Ready(int pid, string cgroup) => Build(w =>
    {
        w.WriteBoolean("ok", true);
        w.WriteString("event", "ready");
        w.WriteNumber("pid", pid);
        w.WriteString("cgroup", cgroup);
    });

    public static byte[] Fatal(string message) => Build(w =>
    {
        w.WriteBoolean("ok", false);
        w.WriteString("event", "fatal");
        w.WriteString("error", message);
    });

    public static void WriteCounts(Utf8JsonWriter w, string property, IEnumerable<KeyValuePair<string, int>> counts)
    {
        w.WriteStartObject(property);
        foreach (var (key, value) in counts)
        {
            w.WriteNumber(key, value);
        }
        w.WriteEndObject();
    }

    private static byte[] Build(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
