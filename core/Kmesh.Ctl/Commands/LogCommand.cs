using System.CommandLine;
using System.Text.Json;

namespace Kmesh.Ctl.Commands;

/// <summary><c>kmesh ctl log level [LEVEL]</c>: the daemon's log level (<c>GET</c>/<c>POST /logging</c>).</summary>
internal static class LogCommand
{
    private static readonly string[] Levels = ["trace", "debug", "info", "warning", "error", "critical", "off"];

    public static Command Create(CtlContext context)
    {
        var level = new Argument<string?>("LEVEL")
        {
            Description = "the new level: " + string.Join(", ", Levels) + " (none: print the current one)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        level.AcceptOnlyFromAmong(Levels);
        var levelCommand = new Command("level", "print or change the daemon's log level") { level };
        levelCommand.SetAction(async (parse, ct) =>
        {
            using var admin = context.Connect(parse);
            var wanted = parse.GetValue(level);
            var answer = wanted is null
                ? await admin.GetAsync("logging", ct)
                : await admin.PostAsync("logging?level=" + Uri.EscapeDataString(wanted), ct);
            context.Output.WriteLine(LevelIn(answer) ?? wanted ?? "unknown");
            return 0;
        });
        return new Command("log", "the daemon's logging") { levelCommand };
    }

    // The contract says /logging answers with "the current level" without fixing the shape:
    // accept plain text ("info"), a JSON string, or an object with a "level" member.
    internal static string? LevelIn(string answer)
    {
        var text = answer.Trim();
        if (text.Length == 0)
            return null;
        if (text[0] is '{' or '"')
        {
            try
            {
                using var json = JsonDocument.Parse(text);
                if (json.RootElement.ValueKind == JsonValueKind.String)
                    return json.RootElement.GetString();
                if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("level", out var member))
                    return member.GetString();
            }
            catch (JsonException)
            {
                // Not JSON after all: show it as it came.
            }
        }
        return text;
    }
}
