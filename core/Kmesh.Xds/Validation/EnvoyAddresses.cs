using System.Net;
using System.Net.Sockets;

namespace Kmesh.Xds.Validation;

/// <summary>
/// IP literals as Envoy parses them (<c>Network::Utility::parseInternetAddress</c>: inet_pton, not a
/// resolver). Stricter than <see cref="IPAddress.TryParse(string, out IPAddress)"/>, which also takes
/// <c>127.1</c>, <c>0x7f.0.0.1</c> or a bare number; Envoy refuses those as malformed.
/// </summary>
public static class EnvoyAddresses
{
    /// <summary>True for a dotted-quad IPv4 literal (four decimal octets, no leading zeros) or an IPv6 literal.</summary>
    public static bool IsIpLiteral(string text)
    {
        if (text.Contains(':'))
            return IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        // Read in place: every endpoint of a mesh passes here, and splitting made five strings each.
        var rest = text.AsSpan();
        for (var octet = 0; octet < 4; octet++)
        {
            var dot = rest.IndexOf('.');
            if (octet < 3 != dot >= 0)
                return false; // three dots, no more and no fewer
            var part = dot >= 0 ? rest[..dot] : rest;
            if (!IsOctet(part))
                return false;
            rest = dot >= 0 ? rest[(dot + 1)..] : default;
        }
        return true;
    }

    /// <summary>One to three decimal digits, no leading zero, at most 255.</summary>
    private static bool IsOctet(ReadOnlySpan<char> part)
    {
        if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0'))
            return false;
        var value = 0;
        foreach (var c in part)
        {
            if (!char.IsAsciiDigit(c))
                return false;
            value = value * 10 + (c - '0');
        }
        return value <= 255;
    }
}
