using Microsoft.Extensions.Logging;

namespace Kmesh.Xds.Tests.Hostile;

/// <summary>Keeps every formatted log line (with its exception's message) so that tests can wait for one.</summary>
internal sealed class ListLogger : ILogger, ILoggerProvider
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
                return _lines.ToList();
        }
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines)
            _lines.Add($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
    }

    public bool IsEnabled(LogLevel logLevel) => true;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public ILogger CreateLogger(string categoryName) => this;

    public void Dispose()
    {
    }

    /// <summary>Waits for a line that matches; fails naming <paramref name="what"/> and the lines so far.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Lines.FirstOrDefault(match) is { } line)
            {
                lock (_lines)
                    _lines.Clear();
                return line;
            }
            Assert.True(DateTime.UtcNow < deadline, $"no matching log line after {what}:\n{string.Join('\n', Lines)}");
            await Task.Delay(50);
        }
    }
}
