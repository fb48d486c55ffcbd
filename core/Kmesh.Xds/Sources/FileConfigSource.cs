using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Kmesh.Xds.Sources;

/// <summary>
/// A config file, watched: edits are offered to the daemon as they land; an edit that does not
/// parse is reported with file, line and field, and the last good configuration keeps serving.
/// </summary>
public sealed partial class FileConfigSource : IConfigSource
{
    private readonly string _path;
    private readonly ILogger _log;
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConfigFileWatcher _watcher;
    private readonly IncrementalFileReader _reader;
    private string _version;
    // The XXH128 of the file's bytes at the last read, good or bad: a signal without a change (a touch, a
    // rename of the same content) is not read again, as a content-comparing watcher would not have called.
    private byte[] _readHash = [];
    // The file's text, read again at every change decoding only what changed.
    private readonly FileText _text;

    /// <summary>Reads the file now (a broken file throws here, before the daemon touches the kernel) and starts watching it.</summary>
    /// <exception cref="ConfigParseException">The file is not a valid resource file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public FileConfigSource(string path, ILogger log)
    {
        _path = path;
        _log = log;
        _reader = new IncrementalFileReader(path);
        _text = new FileText(path);
        // Watching starts first, so that no change between the first read and the watch goes unseen.
        // The watcher only signals: this source reads the file once per change, and keeps no copy of it.
        _watcher = ConfigFileWatcher.Signals(path, () => _changes.Writer.TryWrite(true), log);
        try
        {
            Initial = ReadAgain()!;
        }
        catch
        {
            _watcher.Dispose();
            throw;
        }
        _version = Initial.Version;
    }

    /// <inheritdoc />
    public string Description => _path;

    /// <inheritdoc />
    public ConfigUpdate? Initial { get; }

    /// <inheritdoc />
    public async Task RunAsync(IConfigSink sink, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in _changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                ConfigUpdate? update;
                try
                {
                    update = ReadAgain();
                    if (update is null)
                        continue; // the same bytes as the last read
                }
                catch (Exception e) when (e is ConfigParseException or IOException or UnauthorizedAccessException)
                {
                    LogRejected(_log, e.Message, _version);
                    continue;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // A reader bug must not stop the source: the next edit may well be read.
                    LogReadFailed(_log, e, _path, _version);
                    continue;
                }
                try
                {
                    var verdict = await sink.OfferAsync(update, cancellationToken).ConfigureAwait(false);
                    if (verdict.Accepted)
                        _version = update.Version;
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    // Applying failed outright (not a verdict): report it and keep following the file.
                    LogApplyFailed(_log, e, _path, _version);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _watcher.Dispose();
        _changes.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }

    /// <summary>The reader of this source's file: what its last read parsed (for tests).</summary>
    internal IncrementalFileReader Reader => _reader;

    /// <summary>Parses the file; the version is its <c>version_info</c> (if any) and a hash of its text.</summary>
    /// <exception cref="ConfigParseException">The file is not a valid resource file, or over a <see cref="ParseLimits">limit</see>.</exception>
    /// <exception cref="IOException">The file cannot be read, or is a directory.</exception>
    public static ConfigUpdate Read(string path)
    {
        var (text, hash) = ConfigText.ReadHashed(path);
        return Versioned(EnvoyConfigFile.Parse(path, text), hash);
    }

    /// <summary>
    /// Reads the file again, parsing only the items that changed since the last good read
    /// (<see cref="IncrementalFileReader"/>): unchanged resources are the same objects as before.
    /// Null when the file's bytes are those of the last read.
    /// </summary>
    private ConfigUpdate? ReadAgain()
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (text, edit, hash) = _text.Read();
        if (hash.AsSpan().SequenceEqual(_readHash))
            return null;
        _readHash = hash;
        var read = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var resources = _reader.Read(text, edit);
        var total = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (_reader.LastWhole)
            LogParsedWhole(_log, _path, _reader.LastParsed, total, read);
        else
            LogParsedItems(_log, _path, _reader.LastParsed, _reader.LastTotal, total, read,
                edit is { } e ? $"decoded {e.NewEnd - e.Start} of {text.Length} chars (the changed span)" : "decoded whole",
                _reader.LastCut is { } cut ? $"cut again only the {cut} item{(cut == 1 ? "" : "s")} the change touched" : "cut whole");
        return Versioned(resources, hash);
    }

    /// <summary>The version: the file's <c>version_info</c> (if any) and the first 12 hex digits of the XXH128 of its UTF-8 bytes (what <c>xxh128sum FILE</c> begins with).</summary>
    private static ConfigUpdate Versioned(EnvoyResources resources, byte[] xxh128)
    {
        var hash = Convert.ToHexString(xxh128)[..12].ToLowerInvariant();
        var version = string.IsNullOrEmpty(resources.VersionInfo) ? hash : $"{resources.VersionInfo} ({hash})";
        return new ConfigUpdate(resources, version);
    }

    [LoggerMessage(EventId = 32, Level = LogLevel.Information, Message = "Config {Path} read: {Parsed} of {Total} items parsed (the others unchanged) in {Milliseconds:0.0} ms, {ReadMilliseconds:0.0} ms of it reading the file; {Decoded}, {Cut}")]
    private static partial void LogParsedItems(ILogger logger, string path, int parsed, int total, double milliseconds, double readMilliseconds, string decoded, string cut);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information, Message = "Config {Path} read whole: {Resources} resources parsed in {Milliseconds:0.0} ms, {ReadMilliseconds:0.0} ms of it reading the file")]
    private static partial void LogParsedWhole(ILogger logger, string path, int resources, double milliseconds, double readMilliseconds);

    [LoggerMessage(EventId = 30, Level = LogLevel.Error, Message = "Config {Path} could not be read (a bug, please report it), still serving version {Version}; the next edit is read again")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string path, string version);

    [LoggerMessage(EventId = 31, Level = LogLevel.Error, Message = "Config {Path} could not be applied, still serving version {Version}; the next edit is read again")]
    private static partial void LogApplyFailed(ILogger logger, Exception exception, string path, string version);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Config rejected, still serving version {Version}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason, string version);
}
