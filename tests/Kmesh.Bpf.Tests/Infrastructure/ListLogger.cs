using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Kmesh.Bpf.Tests.Infrastructure;

/// <summary>Collects log lines in memory, for asserting on libbpf's messages.</summary>
public sealed class ListLogger : ILogger
{
    /// <summary>Everything logged, as "Level: message".</summary>
    public ConcurrentQueue<string> Lines { get; } = new();

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => true;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
}
