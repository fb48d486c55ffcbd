using System.Runtime.InteropServices;
using System.IO.Hashing;
using System.Text;

namespace Kmesh.Xds;

/// <summary>
/// Reads a config file's text for every reader of files (<c>--config</c>, <c>config check</c>,
/// <c>xds serve</c>): a directory, a file over <see cref="ParseLimits.MaxDocumentBytes"/> or one
/// that is not UTF-8 text is refused with what to do, before it is read into memory or given to
/// the YAML parser.
/// </summary>
public static partial class ConfigText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The file's text.</summary>
    /// <exception cref="IOException">A directory, or the file cannot be read (the message says which and what to do).</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to read it.</exception>
    /// <exception cref="ConfigParseException">Too large, or not UTF-8 text (a binary file).</exception>
    public static string Read(string path) => ReadFile(path, hash: false).Text;

    /// <summary>
    /// The file's text and the XXH128 of its UTF-8 bytes (without a byte order mark; the canonical 16
    /// bytes that <c>xxh128sum</c> prints): what the text is known by, taken from the bytes as read,
    /// so that a caller comparing versions of a large file needs no second read or UTF-8 copy of the
    /// text. Not SHA-256: that costs 10 ms a read at 16 MB, and a file source reads at every change.
    /// </summary>
    /// <exception cref="IOException">A directory, or the file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to read it.</exception>
    /// <exception cref="ConfigParseException">Too large, or not UTF-8 text (a binary file).</exception>
    public static (string Text, byte[] Xxh128) ReadHashed(string path)
    {
        var (text, hash) = ReadFile(path, hash: true);
        return (text, hash!);
    }

    /// <summary>
    /// The file's text decoded into <paramref name="buffer"/> (grown when too small) and the XXH128 of
    /// its UTF-8 bytes (as <see cref="ReadHashed"/>): for a reader of one large file at every change, whose text is garbage once read
    /// (a 16 MB file is a 32 MB string on the large object heap, left for a full collection each time).
    /// </summary>
    /// <exception cref="IOException">A directory, or the file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to read it.</exception>
    /// <exception cref="ConfigParseException">Too large, or not UTF-8 text (a binary file).</exception>
    public static (ReadOnlyMemory<char> Text, byte[] Xxh128) ReadInto(string path, [System.Diagnostics.CodeAnalysis.NotNull] ref char[]? buffer)
    {
        var target = new Target(buffer);
        var (_, hash) = ReadFile(path, hash: true, target);
        buffer = target.Buffer;
        return (buffer.AsMemory(0, target.Length), hash!);
    }

    /// <summary>Where decoded text goes: a new string, or a buffer of chars reused from read to read.</summary>
    private sealed class Target(char[]? buffer)
    {
        public char[] Buffer { get; private set; } = buffer ?? [];
        public int Length { get; private set; }

        public void Fill(ReadOnlySpan<byte> utf8)
        {
            var count = Strict.GetCharCount(utf8);
            if (count > Buffer.Length)
                Buffer = new char[count + count / 16]; // room for a file that grows a little
            Length = Strict.GetChars(utf8, Buffer);
        }
    }

    private static unsafe (string Text, byte[]? Hash) ReadFile(string path, bool hash, Target? target = null)
    {
        if (Directory.Exists(path))
            throw new IOException($"{path}: is a directory, not a config file; name a file (for each file in it: {Path.Combine(path, "*.yaml")})");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        // A FIFO or device has no length; reading stops at the limit either way.
        var length = stream.CanSeek ? stream.Length : 0;
        if (length > ParseLimits.MaxDocumentBytes)
            throw TooLarge(path, length);
        if (length == 0)
        {
            var bytes = ReadAtMost(stream, ParseLimits.MaxDocumentBytes + 1);
            if (bytes.Length > ParseLimits.MaxDocumentBytes)
                throw TooLarge(path, bytes.Length);
            return Decode(path, bytes, hash, target);
        }
        // The bytes go to native memory, freed as soon as they are decoded: a large file read at every
        // change would otherwise leave its bytes (and a growing buffer's copies) on the large object heap.
        // One byte more than the length tells a file that grew meanwhile.
        var size = (nuint)length + 1;
        var block = (byte*)NativeMemory.Alloc(size);
        try
        {
            var buffer = new Span<byte>(block, (int)size);
            var read = 0;
            int n;
            while (read < buffer.Length && (n = stream.Read(buffer[read..])) > 0)
                read += n;
            if (read > length)
            {
                // Written to while read: the slower path reads it whole, to the limit.
                stream.Position = 0;
                var bytes = ReadAtMost(stream, ParseLimits.MaxDocumentBytes + 1);
                if (bytes.Length > ParseLimits.MaxDocumentBytes)
                    throw TooLarge(path, bytes.Length);
                return Decode(path, bytes, hash, target);
            }
            return Decode(path, buffer[..read], hash, target);
        }
        finally
        {
            NativeMemory.Free(block);
        }
    }

    // Into target when given (the text returned is then empty).
    private static (string Text, byte[]? Hash) Decode(string path, ReadOnlySpan<byte> bytes, bool hash, Target? target)
    {
        var nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
            throw NotText(path, bytes, nul, "a NUL byte");
        // A UTF-8 byte order mark is allowed, as editors on Windows write one. (Not Strict.Preamble: an
        // encoding that emits no mark has an empty one, and the mark was read as part of the first key.)
        ReadOnlySpan<byte> mark = [0xEF, 0xBB, 0xBF];
        var offset = bytes.StartsWith(mark) ? mark.Length : 0;
        var text = "";
        try
        {
            if (target is null)
                text = Strict.GetString(bytes[offset..]);
            else
                target.Fill(bytes[offset..]);
        }
        catch (DecoderFallbackException e)
        {
            throw NotText(path, bytes, Math.Max(0, e.Index), "bytes that are not UTF-8");
        }
        // Valid UTF-8 decodes and encodes back to the same bytes: their hash is the text's.
        return (text, hash ? XxHash128.Hash(bytes[offset..]) : null);
    }

    /// <summary>Refuses text longer than <see cref="ParseLimits.MaxDocumentBytes"/> (for text that did not come from <see cref="Read"/>).</summary>
    public static void CheckSize(string path, ReadOnlySpan<char> text)
    {
        // UTF-8 takes at least one byte a character: a cheap test first.
        if (text.Length > ParseLimits.MaxDocumentBytes / 3 && Encoding.UTF8.GetByteCount(text) > ParseLimits.MaxDocumentBytes)
            throw TooLarge(path, Encoding.UTF8.GetByteCount(text));
    }

    private static byte[] ReadAtMost(Stream stream, long max)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while (buffer.Length < max && (read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, max - buffer.Length))) > 0)
            buffer.Write(chunk, 0, read);
        return buffer.ToArray();
    }

    private static ConfigParseException TooLarge(string path, long length) =>
        new(path, 1, 1, "", $"the file is {ParseLimits.Size(length)}, over the limit of {ParseLimits.Size(ParseLimits.MaxDocumentBytes)} for a config file (docs/limits.md)");

    private static ConfigParseException NotText(string path, ReadOnlySpan<byte> bytes, int index, string what)
    {
        var line = 1 + bytes[..Math.Min(index, bytes.Length)].Count((byte)'\n');
        return new ConfigParseException(path, line, 1, "", $"{what} at byte {index}: a binary file, not YAML or JSON text");
    }
}
