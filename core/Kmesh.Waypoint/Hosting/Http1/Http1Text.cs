using System.Text;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Hosting.Http1;

/// <summary>
/// The last bytes a slot of the request head held and the strings made of them: a client sends
/// the same target and headers on every request of a connection, so most requests allocate no strings.
/// </summary>
internal struct Http1Text
{
    private byte[]? _bytes;
    private int _length;
    private string? _a;
    private string? _b;
    private string? _c;

    /// <summary>A header line's name and value (without the spaces around it); the colon is at <paramref name="colon"/>.</summary>
    public (string Name, string Value) Header(ReadOnlySpan<byte> line, int colon)
    {
        if (!Same(line))
        {
            _a = Encoding.ASCII.GetString(line[..colon]);
            // Latin-1 as Kestrel: each byte one char, nothing rejected that a proxy should pass on.
            _b = Encoding.Latin1.GetString(line[(colon + 1)..].Trim(" \t"u8));
            Keep(line);
        }
        return (_a!, _b!);
    }

    /// <summary>The raw target, its decoded path (from <paramref name="pathStart"/>) and its query (with the <c>?</c>).</summary>
    public (string Raw, string Path, string Query) Target(ReadOnlySpan<byte> target, int pathStart)
    {
        if (!Same(target))
        {
            _a = Encoding.ASCII.GetString(target);
            var question = _a.IndexOf('?', pathStart);
            var path = question < 0 ? _a[pathStart..] : _a[pathStart..question];
            // As Kestrel: %-escapes decoded, except that an escaped '/' stays escaped (it is not a segment separator).
            _b = path.Length == 0 ? "/" : path.Contains('%') ? Decode(path) : path;
            _c = question < 0 ? "" : _a[question..];
            Keep(target);
        }
        return (_a!, _b!, _c!);
    }

    private static string Decode(string path) =>
        PathString.FromUriComponent(path.Replace("%2F", "%252F", StringComparison.OrdinalIgnoreCase)).Value ?? "/";

    private readonly bool Same(ReadOnlySpan<byte> bytes) => _bytes is not null && bytes.SequenceEqual(_bytes.AsSpan(0, _length));

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_bytes is null || _bytes.Length < bytes.Length)
            _bytes = new byte[Math.Max(bytes.Length, 32)];
        bytes.CopyTo(_bytes);
        _length = bytes.Length;
    }
}
