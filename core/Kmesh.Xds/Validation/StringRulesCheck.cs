using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Validate;

namespace Kmesh.Xds.Validation;

/// <summary>protoc-gen-validate's string and bytes rules: lengths (characters and bytes), patterns, affixes, lists, well-known formats.</summary>
internal static class StringRulesCheck
{
    // The HTTP header regexes of PGV's well_known_regex; strict: RFC 7230, otherwise only NUL, CR, LF are refused.
    private static readonly Regex HeaderNameStrict = new(@"^:?[0-9a-zA-Z!#$%&'*+\-.^_|~`]+$", RegexOptions.CultureInvariant);
    private static readonly Regex HeaderValueStrict = new(@"^[^\u0000-\u0008\u000A-\u001F\u007F]*$", RegexOptions.CultureInvariant);
    private static readonly Regex HeaderLoose = new(@"^[^\u0000\u000A\u000D]*$", RegexOptions.CultureInvariant);
    private static readonly ConcurrentDictionary<string, Regex?> Patterns = new(StringComparer.Ordinal);

    public static void Check(string value, StringRules rules, PathNode path, List<Violation> violations)
    {
        if (rules.IgnoreEmpty && value.Length == 0)
            return;
        var characters = rules.HasLen || rules.HasMinLen || rules.HasMaxLen ? Runes(value) : 0;
        var bytes = rules.HasLenBytes || rules.HasMinBytes || rules.HasMaxBytes ? Encoding.UTF8.GetByteCount(value) : 0;
        void Fail(string reason) => violations.Add(new Violation(path.Text, reason));
        if (rules.HasConst && value != rules.Const)
            Fail($"value must equal \"{rules.Const}\"");
        if (rules.HasLen && (ulong)characters != rules.Len)
            Fail($"value length must be {rules.Len} characters");
        if (rules.HasMinLen && (ulong)characters < rules.MinLen)
            Fail($"value length must be at least {rules.MinLen} characters");
        if (rules.HasMaxLen && (ulong)characters > rules.MaxLen)
            Fail($"value length must be at most {rules.MaxLen} characters");
        if (rules.HasLenBytes && (ulong)bytes != rules.LenBytes)
            Fail($"value length must be {rules.LenBytes} bytes");
        if (rules.HasMinBytes && (ulong)bytes < rules.MinBytes)
            Fail($"value length must be at least {rules.MinBytes} bytes");
        if (rules.HasMaxBytes && (ulong)bytes > rules.MaxBytes)
            Fail($"value length must be at most {rules.MaxBytes} bytes");
        if (rules.HasPattern && Pattern(rules.Pattern) is { } regex && !regex.IsMatch(value))
            Fail($"value does not match regex pattern \"{rules.Pattern}\"");
        if (rules.HasPrefix && !value.StartsWith(rules.Prefix, StringComparison.Ordinal))
            Fail($"value does not have prefix \"{rules.Prefix}\"");
        if (rules.HasSuffix && !value.EndsWith(rules.Suffix, StringComparison.Ordinal))
            Fail($"value does not have suffix \"{rules.Suffix}\"");
        if (rules.HasContains && !value.Contains(rules.Contains, StringComparison.Ordinal))
            Fail($"value does not contain substring \"{rules.Contains}\"");
        if (rules.HasNotContains && value.Contains(rules.NotContains, StringComparison.Ordinal))
            Fail($"value contains substring \"{rules.NotContains}\"");
        if (rules.In.Count > 0 && !rules.In.Contains(value))
            Fail($"value must be in list [{string.Join(", ", rules.In)}]");
        if (rules.NotIn.Count > 0 && rules.NotIn.Contains(value))
            Fail($"value must not be in list [{string.Join(", ", rules.NotIn)}]");
        var wellKnown = WellKnown(value, rules);
        if (wellKnown is not null)
            Fail(wellKnown);
    }

    public static void Check(ByteString value, BytesRules rules, PathNode path, List<Violation> violations)
    {
        if (rules.IgnoreEmpty && value.Length == 0)
            return;
        void Fail(string reason) => violations.Add(new Violation(path.Text, reason));
        if (rules.HasConst && value != rules.Const)
            Fail("value must equal the given constant");
        if (rules.HasLen && (ulong)value.Length != rules.Len)
            Fail($"value length must be {rules.Len} bytes");
        if (rules.HasMinLen && (ulong)value.Length < rules.MinLen)
            Fail($"value length must be at least {rules.MinLen} bytes");
        if (rules.HasMaxLen && (ulong)value.Length > rules.MaxLen)
            Fail($"value length must be at most {rules.MaxLen} bytes");
        if (rules.WellKnownCase is BytesRules.WellKnownOneofCase.Ip && value.Length is not (4 or 16))
            Fail("value must be a valid IP address");
        if (rules.WellKnownCase is BytesRules.WellKnownOneofCase.Ipv4 && value.Length != 4)
            Fail("value must be a valid IPv4 address");
        if (rules.WellKnownCase is BytesRules.WellKnownOneofCase.Ipv6 && value.Length != 16)
            Fail("value must be a valid IPv6 address");
    }

    /// <summary>PGV counts code points (Go runes), not UTF-16 units nor grapheme clusters.</summary>
    private static int Runes(string value)
    {
        var count = value.Length;
        foreach (var c in value)
        {
            if (char.IsLowSurrogate(c))
                count--;
        }
        return count;
    }

    private static string? WellKnown(string value, StringRules rules) => rules.WellKnownCase switch
    {
        StringRules.WellKnownOneofCase.Hostname when rules.Hostname && !IsHostname(value) => "value must be a valid hostname",
        StringRules.WellKnownOneofCase.Ip when rules.Ip && !IPAddress.TryParse(value, out _) => "value must be a valid IP address",
        StringRules.WellKnownOneofCase.Ipv4 when rules.Ipv4 && !(IPAddress.TryParse(value, out var v4) && v4.AddressFamily == AddressFamily.InterNetwork) => "value must be a valid IPv4 address",
        StringRules.WellKnownOneofCase.Ipv6 when rules.Ipv6 && !(IPAddress.TryParse(value, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6) => "value must be a valid IPv6 address",
        StringRules.WellKnownOneofCase.Address when rules.Address && !IPAddress.TryParse(value, out _) && !IsHostname(value) => "value must be a valid hostname, or ip address",
        StringRules.WellKnownOneofCase.Uri when rules.Uri && !Uri.TryCreate(value, UriKind.Absolute, out _) => "value must be a valid URI",
        StringRules.WellKnownOneofCase.UriRef when rules.UriRef && !Uri.TryCreate(value, UriKind.RelativeOrAbsolute, out _) => "value must be a valid URI",
        StringRules.WellKnownOneofCase.Uuid when rules.Uuid && !Guid.TryParseExact(value, "D", out _) => "value must be a valid UUID",
        StringRules.WellKnownOneofCase.Email when rules.Email && !System.Net.Mail.MailAddress.TryCreate(value, out _) => "value must be a valid email address",
        StringRules.WellKnownOneofCase.WellKnownRegex when !HeaderRegex(rules).IsMatch(value) => rules.WellKnownRegex == KnownRegex.HttpHeaderName
            ? "value does not match regex pattern for a valid HTTP header name" : "value does not match regex pattern for a valid HTTP header value",
        _ => null,
    };

    private static Regex HeaderRegex(StringRules rules) => rules.WellKnownRegex switch
    {
        _ when rules.HasStrict && !rules.Strict => HeaderLoose,
        KnownRegex.HttpHeaderName => HeaderNameStrict,
        KnownRegex.HttpHeaderValue => HeaderValueStrict,
        _ => HeaderLoose,
    };

    /// <summary>RFC 1034 host names as PGV checks them: at most 253 characters, labels of 1-63 letters, digits and inner hyphens.</summary>
    private static bool IsHostname(string value)
    {
        var host = value.EndsWith('.') ? value[..^1] : value;
        if (host.Length is 0 or > 253)
            return false;
        foreach (var label in host.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
                return false;
            if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
                return false;
        }
        return true;
    }

    /// <summary>PGV patterns are RE2; the few .NET cannot compile are skipped rather than failing every resource.</summary>
    private static Regex? Pattern(string pattern) => Patterns.GetOrAdd(pattern, p =>
    {
        try
        {
            return new Regex(p, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            return null;
        }
    });
}
