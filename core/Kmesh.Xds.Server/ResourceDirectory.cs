using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Security.Cryptography;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Envoy.Api;
using Microsoft.Extensions.Logging;

namespace Kmesh.Xds.Server;

/// <summary>What one <see cref="ResourceDirectory.Read"/> found.</summary>
/// <param name="Resources">Everything served now: type URL → name → resource.</param>
/// <param name="Changes">Type URL → names added, updated or removed since the previous read (empty sets left out).</param>
/// <param name="FilesParsed">Files parsed again because their content changed (or appeared).</param>
/// <param name="FilesRead">Files whose bytes were read (size or time changed, or too recent to trust them); at least <paramref name="FilesParsed"/>.</param>
/// <param name="FilesTotal">Resource files in the directory.</param>
/// <param name="ResourcesParsed">Resources read from text: of a changed resource list only its changed items are parsed, of any other file everything.</param>
public sealed record DirectoryRead(
    IReadOnlyDictionary<string, ImmutableSortedDictionary<string, ServedResource>> Resources,
    IReadOnlyDictionary<string, IReadOnlySet<string>> Changes,
    int FilesParsed,
    int FilesRead,
    int FilesTotal,
    int ResourcesParsed);

/// <summary>
/// Reads every resource file of a directory (<c>*.yaml</c>, <c>*.yml</c>, <c>*.json</c>, in any shape
/// <c>--config</c> reads) into one snapshot, and after a change re-reads only what changed: a file
/// whose size and modification time are as last seen is not opened (unless it was modified so
/// recently that a same-size edit in the same clock tick could hide), a file whose bytes hash as
/// last seen is not parsed, and the resources of a parsed file are compared one by one, so that
/// only the resources that really changed are reported (and pushed). A file that does not parse
/// keeps its last good content and is reported with file, line and field; a name defined in two
/// files is served from the first (by file name) and reported. Of a changed file that is a
/// resource list, only the items whose text changed are parsed (<see cref="ParseChanged"/>).
/// </summary>
public sealed partial class ResourceDirectory(string directory, ILogger log)
{
    private sealed class FileState
    {
        public long Length = -1;
        public DateTime Modified;
        public DateTime ReadAt;
        public UInt128? Hash;
        // The last good content: (type URL, name) → packed resource; null until the file first parsed.
        public Dictionary<(string Type, string Name), ServedResource>? Resources;
        // The last good content by resource-list item (hash of the item's text → what it defines), when the file is cut into items; see ParseChanged.
        public Dictionary<UInt128, ParsedItem>? Items;
        public UInt128 ItemsFrame;
    }

    // A modification time this close to the read that saw it may hide a later same-size edit in the same tick.
    private static readonly TimeSpan Racy = TimeSpan.FromSeconds(2);

    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    // The text of the file being read; nothing of it is kept once the file is parsed.
    private char[]? _text;
    // (type URL, name) → the files (by name, ordinal) whose last good content defines it; the first one is served.
    private readonly Dictionary<(string Type, string Name), List<string>> _definers = new();
    private readonly Dictionary<string, ImmutableSortedDictionary<string, ServedResource>.Builder> _served =
        ServedSnapshot.PushOrder.ToDictionary(t => t, _ => ImmutableSortedDictionary.CreateBuilder<string, ServedResource>(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>The directory read.</summary>
    public string Directory => directory;

    /// <summary>How many times a file was parsed since start (files whose content changed, or appeared).</summary>
    public long FilesParsedTotal { get; private set; }

    /// <summary>Whether a file of that name is read as resources (<c>*.yaml</c>, <c>*.yml</c>, <c>*.json</c>).</summary>
    public static bool IsResourceFile(string path) =>
        path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal) || path.EndsWith(".json", StringComparison.Ordinal);

    /// <summary>
    /// Whether a file read less than the racy interval after it was written can now be read again
    /// to settle it: until then, a same-size edit within its time's granularity would go unseen, so
    /// <see cref="Read"/> reads it again whatever else changed. Not thread-safe, as <see cref="Read"/>.
    /// </summary>
    public bool Unsettled(DateTime now)
    {
        foreach (var state in _files.Values)
        {
            if (state.Length >= 0 && state.ReadAt - state.Modified <= Racy && now - state.Modified > Racy)
                return true;
        }
        return false;
    }

    /// <summary>Reads what changed in the directory now. Not thread-safe: one caller at a time.</summary>
    public DirectoryRead Read()
    {
        var files = System.IO.Directory.EnumerateFiles(directory)
            .Where(IsResourceFile)
            .Order(StringComparer.Ordinal)
            .ToList();
        var touched = new HashSet<(string Type, string Name)>();
        foreach (var gone in _files.Keys.Except(files, StringComparer.Ordinal).ToList())
        {
            Replace(gone, _files[gone].Resources, null, touched);
            _files.Remove(gone);
        }
        int parsed = 0, read = 0;
        foreach (var file in files)
        {
            if (!_files.TryGetValue(file, out var state))
                _files[file] = state = new FileState();
            var (changed, wasRead) = Refresh(file, state, touched);
            if (changed)
                parsed++;
            if (wasRead)
                read++;
        }
        FilesParsedTotal += parsed;

        var changes = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var key in touched)
        {
            var builder = _served[key.Type];
            ServedResource? now = null;
            if (_definers.TryGetValue(key, out var definers) && definers.Count > 0)
                now = _files[definers[0]].Resources![key];
            var had = builder.TryGetValue(key.Name, out var before);
            if (now is null ? !had : had && before!.Version == now.Version)
                continue;
            if (now is null)
                builder.Remove(key.Name);
            else
                builder[key.Name] = now;
            if (!changes.TryGetValue(key.Type, out var names))
                changes[key.Type] = names = new HashSet<string>(StringComparer.Ordinal);
            names.Add(key.Name);
        }
        var resources = _served.ToDictionary(t => t.Key, t => t.Value.ToImmutable(), StringComparer.Ordinal);
        var resourcesParsed = _resourcesParsed;
        _resourcesParsed = 0;
        return new DirectoryRead(resources, changes.ToDictionary(c => c.Key, c => (IReadOnlySet<string>)c.Value, StringComparer.Ordinal), parsed, read, files.Count, resourcesParsed);
    }

    /// <summary>Brings one file's state up to date; true when it was parsed (its bytes changed).</summary>
    private (bool Parsed, bool Read) Refresh(string file, FileState state, HashSet<(string Type, string Name)> touched)
    {
        FileInfo info;
        try
        {
            info = new FileInfo(file);
            if (!info.Exists)
                return (false, false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (false, false);
        }
        var modified = info.LastWriteTimeUtc;
        if (state.Length == info.Length && state.Modified == modified && state.ReadAt - modified > Racy)
            return (false, false);
        var readAt = DateTime.UtcNow;
        ReadOnlyMemory<char> text;
        UInt128 hash;
        try
        {
            // Into a buffer kept from read to read: a file written less than Racy before its last read
            // is read again at the next change of any file, and at 10 000 services that is a 16 MB
            // file whose text as a string (32 MB on the large object heap) cost a full collection.
            var (decoded, xxh128) = ConfigText.ReadInto(file, ref _text);
            (text, hash) = (decoded, BinaryPrimitives.ReadUInt128BigEndian(xxh128));
        }
        catch (Exception e) when (e is ConfigParseException or IOException or UnauthorizedAccessException)
        {
            LogFileRejected(log, e.Message, state.Resources is not null ? "its last good content" : "nothing from it");
            // Not remembered: the next read tries again.
            return (false, true);
        }
        var sameBytes = state.Hash == hash;
        state.Length = info.Length;
        state.Modified = modified;
        state.ReadAt = readAt;
        if (sameBytes)
            return (false, true);
        state.Hash = hash;
        Dictionary<(string Type, string Name), ServedResource> packed;
        try
        {
            packed = ParseChanged(file, text, state);
        }
        catch (ConfigParseException e)
        {
            LogFileRejected(log, e.Message, state.Resources is not null ? "its last good content" : "nothing from it");
            return (true, true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A reader bug on one file must not take the server, or the other files, down.
            LogFileRejected(log, $"{file}: kmesh failed reading it ({e.GetType().Name}: {e.Message}); this is a bug, please report it",
                state.Resources is not null ? "its last good content" : "nothing from it");
            return (true, true);
        }
        Replace(file, state.Resources, packed, touched);
        state.Resources = packed;
        return (true, true);
    }

    /// <summary>Swaps a file's last good content in the index of who defines what; every name whose definition may have moved is touched.</summary>
    private void Replace(string file, Dictionary<(string Type, string Name), ServedResource>? before, Dictionary<(string Type, string Name), ServedResource>? after,
        HashSet<(string Type, string Name)> touched)
    {
        foreach (var key in before?.Keys ?? Enumerable.Empty<(string Type, string Name)>())
        {
            if (after is not null && after.TryGetValue(key, out var same) && same.Version == before![key].Version)
                continue;
            touched.Add(key);
            if (after is null || !after.ContainsKey(key))
            {
                var definers = _definers[key];
                definers.Remove(file);
                if (definers.Count == 0)
                    _definers.Remove(key);
            }
        }
        foreach (var key in after?.Keys ?? Enumerable.Empty<(string Type, string Name)>())
        {
            if (before is not null && before.TryGetValue(key, out var old))
            {
                if (old.Version != after![key].Version)
                    touched.Add(key);
                continue;
            }
            touched.Add(key);
            if (!_definers.TryGetValue(key, out var definers))
                _definers[key] = definers = [];
            var at = definers.BinarySearch(file, StringComparer.Ordinal);
            definers.Insert(at < 0 ? ~at : at, file);
            if (definers[0] != file)
                LogDuplicate(log, file, key.Type, key.Name);
        }
    }

    /// <summary>
    /// The served version is a hash of the resource's bytes, so that a re-read file pushes nothing
    /// and an edit always does; a Resource wrapper's own version (a delta golden file's) leads it,
    /// so a client and its logs show the version the file gave.
    /// </summary>
    private static ServedResource Pack(string name, IMessage message, string? fileVersion)
    {
        var body = Any.Pack(message);
        var hash = Convert.ToHexString(SHA256.HashData(body.Value.Span))[..12].ToLowerInvariant();
        return new ServedResource(name, body, fileVersion is null ? hash : $"{fileVersion}/{hash}");
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Error, Message = "{Reason}; serving {Kept}")]
    private static partial void LogFileRejected(ILogger logger, string reason, string kept);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "{File}: a {Type} has no name; not served")]
    private static partial void LogUnnamed(ILogger logger, string file, string type);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "{File}: {Type} '{Name}' is already defined in an earlier file; this one is not served")]
    private static partial void LogDuplicate(ILogger logger, string file, string type, string name);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogFileWarning(ILogger logger, string warning);
}
