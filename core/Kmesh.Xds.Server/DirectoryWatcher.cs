using Microsoft.Extensions.Logging;

namespace Kmesh.Xds.Server;

/// <summary>
/// Calls back when a directory's files change: inotify for speed, debounced (editors write in
/// bursts), and a poll of names, times and sizes for what inotify misses. The callback decides
/// whether the content really changed. A resource file moved into place is read at once: a
/// rename is how tools replace a file atomically, so there is no half-written file to wait out.
/// </summary>
public sealed class DirectoryWatcher : IDisposable
{
    /// <summary>
    /// Quiet time after an event before the directory is read: editors write in bursts, but a read
    /// now costs only the files that changed (and a burst's half-written file is read again at its
    /// next event), so the wait is short — it is part of every change's latency.
    /// </summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(20);

    private readonly TimeSpan _debounceDelay;

    private readonly string _directory;
    private readonly Action _onChange;
    private readonly ILogger _log;
    private readonly DirectoryEvents? _watcher;
    private readonly Timer _debounce;
    private readonly Timer _poll;
    private readonly Lock _gate = new();
    private string _fingerprint;
    private bool _disposed;
    // When the first event since the last read arrived (0: none waiting): how long a change took to be read.
    private long _firstEventAt;

    /// <summary>
    /// How long before the read now under way (or the last one) the first event that caused it
    /// arrived; zero for a read no event caused. Part of every change's latency: the server logs it.
    /// </summary>
    public TimeSpan EventToRead { get; private set; }

    /// <summary>Starts watching <paramref name="directory"/>; <paramref name="onChange"/> is never called concurrently.</summary>
    /// <param name="directory">The directory whose files are served.</param>
    /// <param name="onChange">Called after a change, never concurrently; it decides whether the content really changed.</param>
    /// <param name="log">Where failures to watch or read go.</param>
    /// <param name="pollInterval">How often names, times and sizes are compared; 1 s by default.</param>
    /// <param name="debounce">Quiet time after an event other than a rename into place; <see cref="DefaultDebounce"/> by default.</param>
    public DirectoryWatcher(string directory, Action onChange, ILogger log, TimeSpan? pollInterval = null, TimeSpan? debounce = null)
    {
        _debounceDelay = debounce ?? DefaultDebounce;
        _directory = directory;
        _onChange = onChange;
        _log = log;
        _fingerprint = Fingerprint();
        _debounce = new Timer(_ => Fire(), null, Timeout.Infinite, Timeout.Infinite);
        try
        {
            // A resource file moved into the directory (from there or elsewhere) is complete: read
            // at once. Anything else (an in-place write, an editor's rename away to a backup before
            // it writes anew, a lost event) is debounced.
            _watcher = new DirectoryEvents(directory, (name, complete) =>
                Schedule(complete && name is not null && ResourceDirectory.IsResourceFile(name) ? TimeSpan.Zero : _debounceDelay));
        }
        catch (IOException e)
        {
            log.LogWarning(e, "Cannot watch {Directory}; polling it", directory);
        }
        var poll = pollInterval ?? TimeSpan.FromSeconds(1);
        _poll = new Timer(_ => { if (Fingerprint() != _fingerprint) Schedule(_debounceDelay); }, null, poll, poll);
    }

    /// <summary>Stops watching; waits for a callback in progress.</summary>
    public void Dispose()
    {
        lock (_gate)
            _disposed = true;
        _watcher?.Dispose();
        _debounce.Dispose();
        _poll.Dispose();
    }

    private void Schedule(TimeSpan delay)
    {
        Interlocked.CompareExchange(ref _firstEventAt, System.Diagnostics.Stopwatch.GetTimestamp(), 0);
        try
        {
            _debounce.Change(delay, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Fire()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            var first = Interlocked.Exchange(ref _firstEventAt, 0);
            EventToRead = first == 0 ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(first);
            _fingerprint = Fingerprint();
            try
            {
                _onChange();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // On a timer thread an exception would end the process: the server keeps serving
                // what it has, and the next change is read again.
                _log.LogError(e, "Reading {Directory} after a change failed; still serving the last snapshot", _directory);
            }
        }
    }

    private string Fingerprint()
    {
        try
        {
            return string.Join('|', new DirectoryInfo(_directory).EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal)
                .Select(f => $"{f.Name}:{f.LastWriteTimeUtc.Ticks}:{f.Length}"));
        }
        catch (IOException)
        {
            return "";
        }
    }
}
