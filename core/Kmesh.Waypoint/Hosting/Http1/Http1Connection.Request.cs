using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Kmesh.Waypoint.Hosting.Http1;

/// <summary>The request head: parsed from the buffer, strings reused while the bytes repeat.</summary>
internal sealed partial class Http1Connection<TContext>
{
    private readonly HeaderDictionary _requestHeaders = new();
    private readonly Http1RequestBody _requestBody;
    private string _method = HttpMethods.Get;
    private string _path = "/";
    private string _query = "";
    private string _rawTarget = "/";
    private bool _version11;
    private bool _isHead;
    private Http1Text _targetText;
    private Http1Text[] _headerText = new Http1Text[16];

    private bool TryParseHead(int headLength)
    {
        var head = _in.AsSpan(_start, headLength - 2); // keeps the last header's CRLF
        var lineEnd = head.IndexOf("\r\n"u8);
        if (lineEnd <= 0 || !TryParseRequestLine(head[..lineEnd]))
            return false;
        var rest = head[(lineEnd + 2)..];
        var index = 0;
        long? contentLength = null;
        var chunked = false;
        var connectionClose = false;
        var connectionKeepAlive = false;
        while (rest.Length > 0)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = rest[..end];
            rest = rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[colon - 1] is (byte)' ' or (byte)'\t' || line[0] is (byte)' ' or (byte)'\t')
                return false;
            if (index == _headerText.Length)
                Array.Resize(ref _headerText, index * 2);
            var (name, value) = _headerText[index++].Header(line, colon);
            if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
                return false;
            _requestHeaders.Append(name, value);
            if (name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                if (contentLength is not null || !long.TryParse(value, System.Globalization.NumberStyles.None, null, out var length))
                    return false;
                contentLength = length;
            }
            else if (name.Equals(HeaderNames.TransferEncoding, StringComparison.OrdinalIgnoreCase))
            {
                // Only chunked is understood; anything else cannot be framed, so it is refused.
                if (!value.Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase))
                    return false;
                chunked = true;
            }
            else if (name.Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase))
            {
                connectionClose |= value.Contains("close", StringComparison.OrdinalIgnoreCase);
                connectionKeepAlive |= value.Contains("keep-alive", StringComparison.OrdinalIgnoreCase);
            }
        }
        if (chunked && contentLength is not null)
            return false;
        _start += headLength;
        _keepAlive = _version11 ? !connectionClose : connectionKeepAlive && !connectionClose;
        _requestBody.Reset(chunked ? -1 : contentLength ?? 0);
        return true;
    }

    private bool TryParseRequestLine(ReadOnlySpan<byte> line)
    {
        var space = line.IndexOf((byte)' ');
        if (space <= 0)
            return false;
        _method = MethodOf(line[..space]);
        _isHead = ReferenceEquals(_method, HttpMethods.Head);
        line = line[(space + 1)..];
        space = line.IndexOf((byte)' ');
        if (space <= 0)
            return false;
        var version = line[(space + 1)..];
        if (version.SequenceEqual("HTTP/1.1"u8))
            _version11 = true;
        else if (version.SequenceEqual("HTTP/1.0"u8))
            _version11 = false;
        else
            return false;
        var target = line[..space];
        if (target[0] != (byte)'/')
            return false; // origin form only in this prototype
        (_rawTarget, _path, _query) = _targetText.Target(target);
        return true;
    }

    private static string MethodOf(ReadOnlySpan<byte> method) => method switch
    {
        _ when method.SequenceEqual("GET"u8) => HttpMethods.Get,
        _ when method.SequenceEqual("POST"u8) => HttpMethods.Post,
        _ when method.SequenceEqual("PUT"u8) => HttpMethods.Put,
        _ when method.SequenceEqual("HEAD"u8) => HttpMethods.Head,
        _ when method.SequenceEqual("DELETE"u8) => HttpMethods.Delete,
        _ when method.SequenceEqual("PATCH"u8) => HttpMethods.Patch,
        _ when method.SequenceEqual("OPTIONS"u8) => HttpMethods.Options,
        _ => Encoding.ASCII.GetString(method),
    };

    private void ResetRequest()
    {
        _requestHeaders.Clear();
        _responseHeaders.Clear();
        _statusCode = StatusCodes.Status200OK;
        _reasonPhrase = null;
        _responseStarted = false;
        _responseFraming = Framing.None;
        _onStarting = null;
        _onCompleted = null;
        _extraFeatures = null;
        _aborted?.Dispose();
        _aborted = null;
        _requestBodyStream = _requestBody;
        _responseBodyStream = _responseBody;
        _featureRevision++;
    }
}

/// <summary>
/// The last bytes a slot of the request head held and the strings made of them: a client sends
/// the same headers on every request of a connection, so most requests allocate no header strings.
/// </summary>
internal struct Http1Text
{
    private byte[]? _bytes;
    private int _length;
    private string? _a;
    private string? _b;
    private string? _c;

    public (string Name, string Value) Header(ReadOnlySpan<byte> line, int colon)
    {
        if (!Same(line))
        {
            _a = Encoding.ASCII.GetString(line[..colon]);
            _b = Encoding.Latin1.GetString(line[(colon + 1)..].Trim(" \t"u8));
            Keep(line);
        }
        return (_a!, _b!);
    }

    public (string Raw, string Path, string Query) Target(ReadOnlySpan<byte> target)
    {
        if (!Same(target))
        {
            _a = Encoding.ASCII.GetString(target);
            var question = _a.IndexOf('?');
            var path = question < 0 ? _a : _a[..question];
            _b = path.Contains('%') ? PathString.FromUriComponent(path).Value ?? "/" : path;
            _c = question < 0 ? "" : _a[question..];
            Keep(target);
        }
        return (_a!, _b!, _c!);
    }

    private readonly bool Same(ReadOnlySpan<byte> bytes) => _bytes is not null && bytes.SequenceEqual(_bytes.AsSpan(0, _length));

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (_bytes is null || _bytes.Length < bytes.Length)
            _bytes = new byte[Math.Max(bytes.Length, 32)];
        bytes.CopyTo(_bytes);
        _length = bytes.Length;
    }
}
