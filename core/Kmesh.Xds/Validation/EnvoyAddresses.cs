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
        var parts = text.Split('.');
        if (parts.Length != 4)
            return false;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0') || int.Parse(part, System.Globalization.CultureInfo.InvariantCulture) > 255)
                return false;
        }
        return true;
    }
}
