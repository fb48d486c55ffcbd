using Microsoft.Extensions.Logging;

namespace Kmesh.Core.Hosting;

/// <summary>The daemon's log level, changeable while it runs (<c>POST /logging?level=debug</c>, <c>kmesh ctl log level</c>).</summary>
public sealed class LogLevelSwitch(LogLevel level)
{
    private volatile int _level = (int)level;

    /// <summary>Messages below this level are dropped.</summary>
    public LogLevel Level
    {
        get => (LogLevel)_level;
        set => _level = (int)value;
    }
}
