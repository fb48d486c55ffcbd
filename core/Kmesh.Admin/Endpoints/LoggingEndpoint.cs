using Kmesh.Core.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kmesh.Admin.Endpoints;

/// <summary><c>/logging</c>: the daemon's log level, read and changed in Envoy's form (<c>POST /logging?level=debug</c>).</summary>
internal sealed class LoggingEndpoint(IServiceProvider daemon)
{
    private static readonly Dictionary<string, LogLevel> Levels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["trace"] = LogLevel.Trace,
        ["debug"] = LogLevel.Debug,
        ["info"] = LogLevel.Information,
        ["information"] = LogLevel.Information,
        ["warning"] = LogLevel.Warning,
        ["warn"] = LogLevel.Warning,
        ["error"] = LogLevel.Error,
        ["critical"] = LogLevel.Critical,
        ["off"] = LogLevel.None,
    };

    public IResult Get() => Results.Text($"level: {Name(daemon.GetRequiredService<LogLevelSwitch>().Level)}\n");

    public IResult Set(HttpRequest request)
    {
        var text = request.Query["level"].ToString();
        if (text.Length == 0)
            return Results.Text("POST /logging needs ?level=LEVEL (trace, debug, info, warning, error, critical, off)\n", statusCode: StatusCodes.Status400BadRequest);
        if (!Levels.TryGetValue(text, out var level))
            return Results.Text($"level '{text}' is not one of trace, debug, info, warning, error, critical, off\n", statusCode: StatusCodes.Status400BadRequest);
        daemon.GetRequiredService<LogLevelSwitch>().Level = level;
        return Results.Text($"level: {Name(level)}\n");
    }

    private static string Name(LogLevel level) => level switch
    {
        LogLevel.Information => "info",
        LogLevel.None => "off",
        _ => level.ToString().ToLowerInvariant(),
    };
}
