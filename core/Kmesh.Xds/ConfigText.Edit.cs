using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace Kmesh.Xds;

public static partial class ConfigText
{
    // The file streams through a pooled buffer of this size (below the large object heap's 85 000
    // bytes: the pool keeps it for the process's life); its bytes are compared with the last text in
    // blocks of EditBlock (a vectorized compare of each, a scalar walk only of a block that differs).
    private const int EditChunk = 64 * 1024;
    private const int EditBlock = 4096;

    /// <summary>
    /// Reads a file again over its last text, <c>buffer[..length]</c> (from <see cref="ReadInto"/>
    /// or this; grown when too small), decoding only the bytes that changed: a one-endpoint edit of a 16 MB file so costs a
    /// read, a hash and a compare of its bytes (a few ms), not their decoding, a new 32 MB of chars and
    /// a cut of all of them. On return <c>buffer[..length]</c> is the new text, as <see cref="ReadInto"/>
    /// would have decoded it, and the result says where it changed; <paramref name="xxh128"/> is the
    /// XXH128 of the file's bytes as <see cref="ReadInto"/> gives it.
    /// </summary>
    /// <remarks>
    /// The bytes are streamed once (so nothing of the file's size is allocated) and compared as
    /// ASCII with the last text: before the first difference at the same index, after it shifted by
    /// the change in length. Only ASCII bytes match, so both ends of the changed span fall on whole
    /// characters and everything outside it is text that was valid before. Null, with the buffer
    /// untouched, when the edit cannot be taken this way — a file that is not seekable or changed
    /// while read, a NUL or a byte that is not UTF-8 in the changed span — and the caller reads it
    /// whole (<see cref="ReadInto"/>), which also says what is wrong with it.
    /// </remarks>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to read it.</exception>
    /// <exception cref="ConfigParseException">Too large.</exception>
    public static TextEdit? ReadEdit(string path, ref char[] buffer, ref int length, out byte[] xxh128)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, buffer.Length);
        xxh128 = [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        if (!stream.CanSeek)
            return null;
        var fileLength = stream.Length;
        if (fileLength > ParseLimits.MaxDocumentBytes)
            throw TooLarge(path, fileLength);
        var chunk = ArrayPool<byte>.Shared.Rent(EditChunk);
        try
        {
            var diff = new EditDiff(buffer.AsSpan(0, length));
            var hasher = new XxHash128();
            long offset = 0;
            var bom = 0;
            diff.Begin((int)fileLength);
            int n;
            while ((n = ReadFully(stream, chunk)) > 0)
            {
                var bytes = chunk.AsSpan(0, n);
                if (offset == 0 && bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
                {
                    bom = 3; // the text begins after a byte order mark, and so does the hash (as in Decode)
                    bytes = bytes[3..];
                    diff.Begin((int)fileLength - bom);
                }
                hasher.Append(bytes);
                diff.Compare(bytes, (int)(offset == 0 ? 0 : offset - bom));
                offset += n;
            }
            if (offset != fileLength || offset > ParseLimits.MaxDocumentBytes)
                return null; // written to while read: the whole read takes it
            xxh128 = hasher.GetCurrentHash();
            var (start, end) = diff.Span();
            if (diff.Shift == 0 && start == end)
                return new TextEdit(length, length, length);

            // The changed bytes, decoded: they start and end on whole characters (see remarks).
            var middle = new byte[end - start];
            stream.Position = bom + start;
            if (ReadFully(stream, middle) != middle.Length || middle.AsSpan().Contains((byte)0))
                return null;
            char[] chars;
            try
            {
                chars = Strict.GetChars(middle);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
            var oldEnd = end - diff.Shift;
            var newLength = start + chars.Length + (length - oldEnd);
            var into = buffer;
            if (newLength > buffer.Length)
            {
                into = new char[newLength + newLength / 16]; // room for a file that grows a little, as ReadInto's
                buffer.AsSpan(0, start).CopyTo(into);
            }
            buffer.AsSpan(oldEnd, length - oldEnd).CopyTo(into.AsSpan(start + chars.Length));
            chars.CopyTo(into.AsSpan(start));
            buffer = into;
            length = newLength;
            return new TextEdit(start, oldEnd, start + chars.Length);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static int ReadFully(Stream stream, Span<byte> into)
    {
        var read = 0;
        int n;
        while (read < into.Length && (n = stream.Read(into[read..])) > 0)
            read += n;
        return read;
    }

    /// <summary>
    /// The comparison of a file's bytes, streamed in order, with its last text: the first byte that
    /// differs at the same index, and the last one that differs at the index shifted by the
    /// length's change. A byte matches a character only as the same ASCII character.
    /// </summary>
    private ref struct EditDiff(ReadOnlySpan<char> old)
    {
        private readonly ReadOnlySpan<char> _old = old;
        private int _textLength;
        private int _first = -1; // the first differing byte's index in the text, -1 while none
        private int _last = -1;  // one past the last byte that differs shifted, -1 while none

        /// <summary>New length − old length (bytes of the new text against chars of the old).</summary>
        public int Shift { get; private set; }

        public void Begin(int textLength)
        {
            _textLength = textLength;
            Shift = textLength - _old.Length;
        }

        /// <summary>Compares <paramref name="bytes"/>, the text's bytes from index <paramref name="at"/> on.</summary>
        public void Compare(ReadOnlySpan<byte> bytes, int at)
        {
            for (var i = 0; i < bytes.Length; i += EditBlock)
            {
                var block = bytes.Slice(i, Math.Min(EditBlock, bytes.Length - i));
                var index = at + i;
                if (_first < 0)
                {
                    if (Same(block, index))
                        continue;
                    var j = 0;
                    while (j < block.Length && Matches(block[j], index + j))
                        j++;
                    _first = index + j;
                    block = block[j..];
                    index += j;
                }
                if (Same(block, index - Shift))
                    continue;
                for (var j = block.Length - 1; j >= 0; j--)
                {
                    if (!Matches(block[j], index + j - Shift))
                    {
                        _last = index + j + 1;
                        break;
                    }
                }
            }
        }

        /// <summary>The changed span of the new text's bytes, [start, end): everything before it is the old text at the same index, everything after it the old text shifted.</summary>
        public readonly (int Start, int End) Span()
        {
            var start = _first < 0 ? Math.Min(_old.Length, _textLength) : _first;
            var end = Math.Max(_last, start);
            // The old text's changed span ends at end − Shift, which must not reach back before start:
            // a growing text's span is at least as long as the growth (an insertion of text that
            // repeats what follows it compares equal shifted, right after the insertion point).
            if (end - Shift < start)
                end = start + Shift;
            return (start, end);
        }

        private readonly bool Same(ReadOnlySpan<byte> block, int index) =>
            index >= 0 && index + block.Length <= _old.Length && Ascii.Equals(block, _old.Slice(index, block.Length));

        private readonly bool Matches(byte b, int index) =>
            index >= 0 && index < _old.Length && b < 0x80 && b == _old[index];
    }
}
