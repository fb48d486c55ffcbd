using System.Security.Cryptography;
using System.Text;
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

    /// <summary>Reads the file now (a broken file throws here, before the daemon touches the kernel) and starts watching it.</summary>
    /// <exception cref="ConfigParseException">The file is not a valid resource file.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public FileConfigSource(string path, ILogger log)
    {
        _path = path;
        _log = log;
        _reader = new IncrementalFileReader(path);
        Initial = ReadAgain();
        _version = Initial.Version;
        _watcher = new ConfigFileWatcher(path, _ => _changes.Writer.TryWrite(true), log);
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
                ConfigUpdate update;
                try
                {
                    update = ReadAgain();
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
        var text = ConfigText.Read(path);
        return Versioned(EnvoyConfigFile.Parse(path, text), text);
    }

    /// <summary>
    /// Reads the file again, parsing only the items that changed since the last good read
    /// (<see cref="IncrementalFileReader"/>): unchanged resources are the same objects as before.
    /// </summary>
    private ConfigUpdate ReadAgain()
    {
        var text = ConfigText.Read(_path);
        var resources = _reader.Read(text);
        if (_reader.LastWhole)
            LogParsedWhole(_log, _path, _reader.LastParsed);
        else
            LogParsedItems(_log, _path, _reader.LastParsed, _reader.LastTotal);
        return Versioned(resources, text);
    }

    private static ConfigUpdate Versioned(EnvoyResources resources, string text)
    {
        var hash = Convert.ToHexString(Utf8Sha256(text))[..12].ToLowerInvariant();
        var version = string.IsNullOrEmpty(resources.VersionInfo) ? hash : $"{resources.VersionInfo} ({hash})";
        return new ConfigUpdate(resources, version);
    }

    /// <summary>
    /// SHA-256 of the text's UTF-8 bytes, encoded a slice at a time: a whole copy of a 16 MB file
    /// would be large-object garbage at every reload, which the incremental read otherwise avoids.
    /// </summary>
    private static byte[] Utf8Sha256(string text)
    {
        const int CharsPerSlice = 16 * 1024;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var encoder = Encoding.UTF8.GetEncoder();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(CharsPerSlice));
        try
        {
            var rest = text.AsSpan();
            do
            {
                // The encoder carries a surrogate pair split between slices: the bytes are GetBytes(text)'s.
                encoder.Convert(rest, buffer, flush: true, out var charsUsed, out var bytesUsed, out _);
                sha.AppendData(buffer, 0, bytesUsed);
                rest = rest[charsUsed..];
            }
            while (!rest.IsEmpty);
            return sha.GetHashAndReset();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [LoggerMessage(EventId = 32, Level = LogLevel.Information, Message = "Config {Path} read: {Parsed} of {Total} items parsed (the others unchanged)")]
    private static partial void LogParsedItems(ILogger logger, string path, int parsed, int total);

    [LoggerMessage(EventId = 33, Level = LogLevel.Information, Message = "Config {Path} read whole: {Resources} resources parsed")]
    private static partial void LogParsedWhole(ILogger logger, string path, int resources);

    [LoggerMessage(EventId = 30, Level = LogLevel.Error, Message = "Config {Path} could not be read (a bug, please report it), still serving version {Version}; the next edit is read again")]
    private static partial void LogReadFailed(ILogger logger, Exception exception, string path, string version);

    [LoggerMessage(EventId = 31, Level = LogLevel.Error, Message = "Config {Path} could not be applied, still serving version {Version}; the next edit is read again")]
    private static partial void LogApplyFailed(ILogger logger, Exception exception, string path, string version);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Config rejected, still serving version {Version}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason, string version);
}
