using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Kmesh.Waypoint.Hosting.Http1;

/// <summary>The request head: parsed from the buffer, strings reused while the bytes repeat.</summary>
internal sealed partial class Http1Connection<TContext>
{
    private enum HeadVerdict { Serve, Bad, LineTooLong, TooLarge, VersionNotSupported, Upgrade }

    // RFC 9110's tchar: what a method and a header name are made of.
    private static readonly SearchValues<byte> s_tokenBytes = SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private readonly HeaderDictionary _requestHeaders = new();
    private readonly Http1RequestBody _requestBody;
    private int _headLength;
    private string _method = HttpMethods.Get;
    private string _path = "/";
    private string _query = "";
    private string _rawTarget = "/";
    private bool _version11;
    private bool _isHead;
    private bool _expectContinue;
    private Http1Text _targetText;
    private Http1Text[] _headerText = new Http1Text[16];

    private HeadVerdict TryParseHead()
    {
        var head = _in.AsSpan(_start, _headLength - 2); // keeps the last header's CRLF
        var lineEnd = head.IndexOf("\r\n"u8);
        if (lineEnd > MaxRequestLine)
            return HeadVerdict.LineTooLong;
        if (lineEnd <= 0)
            return HeadVerdict.Bad;
        if (_headLength - lineEnd > MaxHeaders)
            return HeadVerdict.TooLarge;
        if (TryParseRequestLine(head[..lineEnd], out var authority) is { } refused)
            return refused;
        var rest = head[(lineEnd + 2)..];
        var index = 0;
        long? contentLength = null;
        var chunked = false;
        var connectionClose = false;
        var connectionKeepAlive = false;
        var connectionUpgrade = false;
        string? host = null;
        _expectContinue = false;
        while (rest.Length > 0)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = rest[..end];
            rest = rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            // A name is a token right up to its colon (no space before it, no folded line).
            if (colon <= 0 || line[..colon].IndexOfAnyExcept(s_tokenBytes) >= 0)
                return HeadVerdict.Bad;
            if (index == _headerText.Length)
                Array.Resize(ref _headerText, index * 2);
            var (name, value) = _headerText[index++].Header(line, colon);
            if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
                return HeadVerdict.Bad;
            _requestHeaders.Append(name, value);
            if (name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                if (contentLength is not null || !long.TryParse(value, System.Globalization.NumberStyles.None, null, out var length))
                    return HeadVerdict.Bad;
                contentLength = length;
            }
            else if (name.Equals(HeaderNames.TransferEncoding, StringComparison.OrdinalIgnoreCase))
            {
                // Only chunked is understood, last: any other coding cannot be framed, so it is refused.
                if (!value.AsSpan().TrimEnd().EndsWith("chunked", StringComparison.OrdinalIgnoreCase))
                    return HeadVerdict.Bad;
                chunked = true;
            }
            else if (name.Equals(HeaderNames.Host, StringComparison.OrdinalIgnoreCase))
            {
                if (host is not null)
                    return HeadVerdict.Bad;
                host = value;
            }
            else if (name.Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase))
            {
                connectionClose |= value.Contains("close", StringComparison.OrdinalIgnoreCase);
                connectionKeepAlive |= value.Contains("keep-alive", StringComparison.OrdinalIgnoreCase);
                connectionUpgrade |= value.Contains("upgrade", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals(HeaderNames.Expect, StringComparison.OrdinalIgnoreCase))
                _expectContinue = value.Equals("100-continue", StringComparison.OrdinalIgnoreCase);
        }
        // RFC 9112: both framings at once is how requests are smuggled; HTTP/1.1 requires one Host, matching an absolute target's.
        if (chunked && contentLength is not null
            || _version11 && host is null
            || authority is not null && !string.Equals(authority, host, StringComparison.OrdinalIgnoreCase))
            return HeadVerdict.Bad;
        if (connectionUpgrade && _requestHeaders.ContainsKey(HeaderNames.Upgrade))
            return HeadVerdict.Upgrade; // Kestrel's to serve: the connection stops being HTTP/1.1
        _start += _headLength;
        _keepAlive = _version11 ? !connectionClose : connectionKeepAlive && !connectionClose;
        _requestBody.Reset(chunked ? -1 : contentLength ?? 0);
        _expectContinue &= _version11 && _requestBody.CanHaveBody;
        return HeadVerdict.Serve;
    }

    /// <summary>Method, target and version; <paramref name="authority"/> is the target's when it is in absolute form.</summary>
    /// <returns>Null when the line is one to serve, else why not.</returns>
    private HeadVerdict? TryParseRequestLine(ReadOnlySpan<byte> line, out string? authority)
    {
        authority = null;
        var space = line.IndexOf((byte)' ');
        if (space <= 0 || line[..space].IndexOfAnyExcept(s_tokenBytes) >= 0)
            return HeadVerdict.Bad;
        _method = MethodOf(line[..space]);
        _isHead = ReferenceEquals(_method, HttpMethods.Head);
        line = line[(space + 1)..];
        space = line.IndexOf((byte)' ');
        if (space <= 0)
            return HeadVerdict.Bad;
        var version = line[(space + 1)..];
        if (version.SequenceEqual("HTTP/1.1"u8))
            _version11 = true;
        else if (version.SequenceEqual("HTTP/1.0"u8))
            _version11 = false;
        else
            return version.Length == 8 && version.StartsWith("HTTP/"u8) ? HeadVerdict.VersionNotSupported : HeadVerdict.Bad;
        var target = line[..space];
        if (target.IndexOfAnyInRange((byte)0, (byte)' ') >= 0 || target.Contains((byte)0x7f))
            return HeadVerdict.Bad;
        if (target[0] == (byte)'/')
            (_rawTarget, _path, _query) = _targetText.Target(target, 0);
        else if (target.SequenceEqual("*"u8) && ReferenceEquals(_method, HttpMethods.Options))
            (_rawTarget, _path, _query) = ("*", "", "");
        else if (AbsoluteFormPathAt(target, out var authorityBytes) is var at and >= 0)
        {
            authority = Encoding.ASCII.GetString(authorityBytes);
            (_rawTarget, _path, _query) = _targetText.Target(target, at);
        }
        else
            return HeadVerdict.Bad;
        return null;
    }

    /// <summary>Where the path starts in an absolute-form target (<c>http://host/path</c>, what a client sends a proxy); -1 if it is not one.</summary>
    private static int AbsoluteFormPathAt(ReadOnlySpan<byte> target, out ReadOnlySpan<byte> authority)
    {
        authority = default;
        var scheme = target.StartsWith("http://"u8) ? 7 : target.StartsWith("https://"u8) ? 8 : -1;
        if (scheme < 0)
            return -1;
        var afterScheme = target[scheme..];
        var slash = afterScheme.IndexOfAny((byte)'/', (byte)'?');
        authority = slash < 0 ? afterScheme : afterScheme[..slash];
        return authority.IsEmpty ? -1 : scheme + authority.Length;
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
        _extraFeatures?.Clear();
        // Kept for the next request unless cancelled (as Kestrel does): requests are many.
        if (_aborted is { } aborted && !aborted.TryReset())
        {
            aborted.Dispose();
            _aborted = null;
        }
        _requestBodyStream = _requestBody;
        _responseBodyStream = _responseBody;
        _featureRevision++;
    }
}
