using Kmesh.Core.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kmesh.Daemon;

/// <summary>The one-line, timestamped console log every kmesh process writes, at a level that can change at run time.</summary>
internal static class ConsoleLogging
{
    public static ILoggingBuilder AddKmeshConsole(this ILoggingBuilder logging, LogLevelSwitch levels)
    {
        logging.Services.AddSingleton(levels);
        return logging
            .SetMinimumLevel(LogLevel.Trace)
            .AddFilter((_, _, messageLevel) => messageLevel >= levels.Level)
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "HH:mm:ss.fff ";
            });
    }
}
