using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kmesh.Xds;

/// <summary>
/// Watches one file and calls back with its new text whenever its content really changes.
/// The directory is watched, not the file, because editors and config tools replace a file by
/// moving a new one over it (such a move is read at once, as the new file is complete; so is a
/// Kubernetes ConfigMap volume's swap of its <c>..data</c> link); other bursts of events are
/// debounced; and a slow poll of the file's time and size catches what inotify misses (network
/// filesystems, exhausted watches).
/// A watcher made by <see cref="Signals"/> does not read the file: its owner reads it (once) and
/// tells a real change from a touch itself.
/// </summary>
public sealed class ConfigFileWatcher : IDisposable
{
    private readonly string _path;
    private readonly Action<string>? _onChange;
    private readonly Action? _onSignal;
    private readonly ILogger _logger;
    private readonly TimeSpan _debounce;
    /// <summary>What Kubernetes' atomic writer renames into place when a mounted ConfigMap or Secret changes.</summary>
    private const string KubernetesDataLink = "..data";
    private readonly DirectoryEvents? _watcher;
    private readonly Timer _debounceTimer;
    private readonly Timer _pollTimer;
    private readonly Lock _gate = new();
    private byte[]? _hash;
    private (DateTime Time, long Size) _stat;
    private bool _disposed;

    /// <summary>Starts watching. The content present now is the baseline: it raises no callback.</summary>
    /// <param name="path">The file to watch; it may not exist yet.</param>
    /// <param name="onChange">Called with the new text, never concurrently, never after <see cref="Dispose"/> returns.</param>
    /// <param name="logger">Where failures to read or watch go.</param>
    /// <param name="debounce">Quiet time after the last event before reading; 100 ms by default.</param>
    /// <param name="pollInterval">How often to compare the file's time and size; 2 s by default.</param>
    public ConfigFileWatcher(string path, Action<string> onChange, ILogger? logger = null,
        TimeSpan? debounce = null, TimeSpan? pollInterval = null)
        : this(path, onChange, null, logger, debounce, pollInterval)
    {
    }

    /// <summary>
    /// Starts watching without reading: <paramref name="onSignal"/> is called after each burst of
    /// events (debounced) or a changed time or size, whether or not the content changed. For an
    /// owner that reads the file anyway (the file source): a second read and a kept copy of a large
    /// file's text would double what each change costs.
    /// </summary>
    public static ConfigFileWatcher Signals(string path, Action onSignal, ILogger? logger = null,
        TimeSpan? debounce = null, TimeSpan? pollInterval = null) =>
        new(path, null, onSignal, logger, debounce, pollInterval);

    private ConfigFileWatcher(string path, Action<string>? onChange, Action? onSignal, ILogger? logger,
        TimeSpan? debounce, TimeSpan? pollInterval)
    {
        _path = Path.GetFullPath(path);
        _onChange = onChange;
        _onSignal = onSignal;
        _logger = logger ?? NullLogger.Instance;
        _debounce = debounce ?? TimeSpan.FromMilliseconds(100);

        if (onChange is not null)
        {
            var text = TryRead(out var bytes);
            CurrentText = text;
            _hash = bytes is null ? null : SHA256.HashData(bytes);
        }
        _stat = Stat();

        _debounceTimer = new Timer(_ => Check(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = StartWatcher();
        var poll = pollInterval ?? TimeSpan.FromSeconds(2);
        _pollTimer = new Timer(_ => Poll(), null, poll, poll);
    }

    /// <summary>The file's text as last read (at start or at the last change), or null if it was missing (or never read: <see cref="Signals"/>).</summary>
    public string? CurrentText { get; private set; }

    /// <summary>Stops watching; waits for a callback in progress.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        _watcher?.Dispose();
        _debounceTimer.Dispose();
        _pollTimer.Dispose();
    }

    private DirectoryEvents? StartWatcher()
    {
        var name = Path.GetFileName(_path);
        try
        {
            return new DirectoryEvents(Path.GetDirectoryName(_path)!, (file, complete) =>
            {
                if (file is null)
                {
                    _logger.LogWarning("Watching {Path} lost events; re-reading it", _path);
                    Schedule(_debounce);
                }
                // A file moved over this one is complete (the atomic replace config tools do): read
                // at once. So is a Kubernetes ConfigMap or Secret volume's update, which swaps the
                // ..data link the file's own link goes through. Anything else about the file (an
                // in-place write, an editor's rename away to a backup) is debounced.
                else if (file == name || file == KubernetesDataLink)
                    Schedule(complete ? TimeSpan.Zero : _debounce);
            });
        }
        catch (IOException ex)
        {
            // E.g. the inotify instance limit: the poll still sees changes, only later.
            _logger.LogWarning(ex, "Cannot watch {Path}; falling back to polling", _path);
            return null;
        }
    }

    private void Schedule(TimeSpan delay)
    {
        try
        {
            _debounceTimer.Change(delay, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Poll()
    {
        if (Stat() != _stat)
            Schedule(_debounce);
    }

    private void Check()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _stat = Stat();
            if (_onSignal is not null)
            {
                Call(_onSignal);
                return;
            }
            var text = TryRead(out var bytes);
            // A missing file is most likely mid-replace: keep the last content, wait for the next event.
            if (text is null || bytes is null)
                return;
            var hash = SHA256.HashData(bytes);
            if (_hash is not null && hash.AsSpan().SequenceEqual(_hash))
                return;
            _hash = hash;
            CurrentText = text;
            Call(() => _onChange!(text));
        }
    }

    private void Call(Action handler)
    {
        try
        {
            handler();
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "The change handler for {Path} failed", _path);
        }
    }

    private (DateTime, long) Stat()
    {
        var info = new FileInfo(_path);
        return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
    }

    private string? TryRead(out byte[]? bytes)
    {
        try
        {
            bytes = File.ReadAllBytes(_path);
            using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            bytes = null;
            return null;
        }
        catch (IOException ex)
        {
            // Being written right now: the writer's close raises another event.
            _logger.LogDebug(ex, "Cannot read {Path} yet", _path);
            Schedule(_debounce);
            bytes = null;
            return null;
        }
    }
}
