namespace Kmesh.Xds.Sources;

/// <summary>
/// One file's text, read again at every change into a buffer reused from read to read (a large
/// file's text is garbage once read: its items are slices of it, only the changed ones are parsed,
/// nothing of it is kept), decoding only the bytes that changed when it can
/// (<see cref="ConfigText.ReadEdit"/>), and saying where the text changed.
/// </summary>
internal sealed class FileText(string path)
{
    private char[]? _buffer;
    private int _length = -1; // _buffer[.._length] is the last read's text; -1: none (a read failed partway)

    /// <summary>
    /// The file's text now; the edit from the last read's text when only that was decoded (null when
    /// it was read whole); the XXH128 of its bytes (<see cref="ConfigText.ReadHashed"/>). The text is
    /// valid until the next read.
    /// </summary>
    /// <exception cref="IOException">A directory, or the file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">No permission to read it.</exception>
    /// <exception cref="ConfigParseException">Too large, or not UTF-8 text.</exception>
    public (ReadOnlyMemory<char> Text, TextEdit? Edit, byte[] Xxh128) Read()
    {
        if (_buffer is { } buffer && _length >= 0)
        {
            // The buffer changes only when the edit is taken: a throw or a null leaves the last text.
            var length = _length;
            if (ConfigText.ReadEdit(path, ref buffer, ref length, out var xxh128) is { } edit)
            {
                (_buffer, _length) = (Fitted(buffer, length), length);
                return (_buffer.AsMemory(0, length), edit, xxh128);
            }
        }
        _length = -1;
        var (text, hash) = ConfigText.ReadInto(path, ref _buffer);
        _buffer = Fitted(_buffer, text.Length);
        _length = text.Length;
        return (_buffer.AsMemory(0, _length), null, hash);
    }

    /// <summary>
    /// The buffer, or a smaller copy when the text now fills less than a quarter of it: a file that
    /// shrank (a huge configuration reverted) does not keep its largest text's buffer, megabytes
    /// the process would hold for the rest of its life.
    /// </summary>
    private static char[] Fitted(char[] buffer, int length)
    {
        if (buffer.Length <= 64 * 1024 || length >= buffer.Length / 4)
            return buffer;
        var fitted = new char[length + length / 16];
        buffer.AsSpan(0, length).CopyTo(fitted);
        return fitted;
    }
}
