using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Kmesh.Waypoint.Routing;

/// <summary>Evaluates one command of a header value; null or empty means no value.</summary>
internal delegate string? HeaderCommand(in HeaderFormatInput input);

/// <summary>
/// The commands of Envoy's header formatter that the waypoint evaluates. Values follow Envoy's:
/// an address with its port is <c>IP:PORT</c> (<c>[IP]:PORT</c> for IPv6); what is not known at
/// that point (the upstream in request headers, the response in request headers) is empty.
/// The waypoint serves cleartext HTTP, so the downstream TLS commands are empty, as Envoy's are
/// on a cleartext connection.
/// </summary>
internal static class HeaderCommands
{
    private static readonly string[] TlsCommands =
    [
        "REQUESTED_SERVER_NAME", "DOWNSTREAM_PEER_URI_SAN", "DOWNSTREAM_LOCAL_URI_SAN", "DOWNSTREAM_PEER_SUBJECT",
        "DOWNSTREAM_LOCAL_SUBJECT", "DOWNSTREAM_PEER_ISSUER", "DOWNSTREAM_TLS_SESSION_ID", "DOWNSTREAM_TLS_CIPHER",
        "DOWNSTREAM_TLS_VERSION", "DOWNSTREAM_PEER_FINGERPRINT_256", "DOWNSTREAM_PEER_FINGERPRINT_1", "DOWNSTREAM_PEER_SERIAL",
        "DOWNSTREAM_PEER_CERT", "DOWNSTREAM_PEER_DNS_SAN", "DOWNSTREAM_LOCAL_DNS_SAN",
    ];

    private static readonly Lazy<string> HostName = new(Dns.GetHostName);

    /// <summary>The command <paramref name="name"/> with its argument, or null when the waypoint cannot evaluate it.</summary>
    /// <param name="routeName">The route's <c>name</c> (empty when it has none), what <c>%ROUTE_NAME%</c> gives.</param>
    public static HeaderCommand? Resolve(string name, string? argument, string routeName)
    {
        if (argument is null)
        {
            if (Array.IndexOf(TlsCommands, name) >= 0)
                return static (in HeaderFormatInput _) => null;
            return name switch
            {
                "DOWNSTREAM_REMOTE_ADDRESS" or "DOWNSTREAM_DIRECT_REMOTE_ADDRESS" => static (in HeaderFormatInput i) => WithPort(i.Context.Connection.RemoteIpAddress, i.Context.Connection.RemotePort),
                "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT" or "DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT" => static (in HeaderFormatInput i) => Plain(i.Context.Connection.RemoteIpAddress),
                "DOWNSTREAM_REMOTE_PORT" or "DOWNSTREAM_DIRECT_REMOTE_PORT" => static (in HeaderFormatInput i) => i.Context.Connection.RemotePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "DOWNSTREAM_LOCAL_ADDRESS" => static (in HeaderFormatInput i) => WithPort(i.Context.Connection.LocalIpAddress, i.Context.Connection.LocalPort),
                "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT" => static (in HeaderFormatInput i) => Plain(i.Context.Connection.LocalIpAddress),
                "DOWNSTREAM_LOCAL_PORT" => static (in HeaderFormatInput i) => i.Context.Connection.LocalPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "UPSTREAM_HOST" or "UPSTREAM_REMOTE_ADDRESS" => static (in HeaderFormatInput i) => i.Upstream is { } u ? WithPort(u.Host, u.Port) : null,
                "UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT" => static (in HeaderFormatInput i) => i.Upstream?.Host,
                "UPSTREAM_REMOTE_PORT" => static (in HeaderFormatInput i) => i.Upstream?.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "UPSTREAM_CLUSTER" => static (in HeaderFormatInput i) => i.Record.Cluster,
                "ROUTE_NAME" => Constant(routeName),
                "PROTOCOL" => static (in HeaderFormatInput i) => i.Context.Request.Protocol,
                "RESPONSE_CODE" => static (in HeaderFormatInput i) => i.IsResponse ? i.Context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "0",
                "RESPONSE_FLAGS" => static (in HeaderFormatInput i) => i.IsResponse ? i.Record.Flags : null,
                "HOSTNAME" => static (in HeaderFormatInput _) => HostName.Value,
                "START_TIME" => StartTime(StartTimeFormat.Default),
                _ => null,
            };
        }
        return name switch
        {
            "REQ" => HeaderOf(argument, response: false, withoutQuery: false),
            "REQ_WITHOUT_QUERY" => HeaderOf(argument, response: false, withoutQuery: true),
            "RESP" => HeaderOf(argument, response: true, withoutQuery: false),
            // Envoy reads the environment when it loads the config, not per request.
            "ENVIRONMENT" when argument.Length > 0 => Constant(Environment.GetEnvironmentVariable(argument) ?? ""),
            "START_TIME" when StartTimeFormat.TryParse(argument, out var format) => StartTime(format),
            _ => null,
        };
    }

    /// <summary>Why <see cref="Resolve"/> gave nothing, for the report.</summary>
    public static string WhyNot(string name) => name switch
    {
        "START_TIME" => "the time format has a conversion the waypoint does not know (supported: %Y %y %m %d %e %H %I %M %S %p %j %a %A %b %B %h %F %T %Z %z %s %f %1f..%9f %E1S..%E9S %%)",
        "REQ" or "REQ_WITHOUT_QUERY" or "RESP" or "ENVIRONMENT" => "needs a header or variable name in parentheses",
        _ => "the waypoint does not evaluate this command (it evaluates DOWNSTREAM_*ADDRESS*/PORT, UPSTREAM_HOST, UPSTREAM_REMOTE_ADDRESS*, UPSTREAM_CLUSTER, ROUTE_NAME, PROTOCOL, RESPONSE_CODE, RESPONSE_FLAGS, HOSTNAME, START_TIME, REQ, REQ_WITHOUT_QUERY, RESP, ENVIRONMENT and the downstream TLS commands, empty on cleartext)",
    };

    private static HeaderCommand Constant(string value) => (in HeaderFormatInput _) => value;

    private static HeaderCommand StartTime(StartTimeFormat format) => (in HeaderFormatInput i) => format.Format(i.Record.Start);

    /// <summary><c>REQ(NAME?ALTERNATIVE)</c>: the first of the two headers present; pseudo-headers by their HTTP/2 names.</summary>
    private static HeaderCommand? HeaderOf(string argument, bool response, bool withoutQuery)
    {
        var names = argument.Split('?');
        if (names.Length > 2 || names.Any(n => n.Length == 0))
            return null;
        var primary = names[0];
        var alternative = names.Length == 2 ? names[1] : null;
        return (in HeaderFormatInput i) =>
        {
            if (response && !i.IsResponse)
                return null;
            var value = Read(i.Context, primary, response);
            if (string.IsNullOrEmpty(value) && alternative is not null)
                value = Read(i.Context, alternative, response);
            if (withoutQuery && value is not null && value.IndexOf('?', StringComparison.Ordinal) is var query and >= 0)
                value = value[..query];
            return value;
        };
    }

    private static string? Read(HttpContext context, string name, bool response)
    {
        if (response)
            return context.Response.Headers.TryGetValue(name, out var answer) ? answer.ToString() : null;
        var request = context.Request;
        return name.ToLowerInvariant() switch
        {
            ":authority" or "host" => request.Host.Value,
            ":path" => request.PathBase.Add(request.Path).Value + request.QueryString.Value,
            ":method" => request.Method,
            ":scheme" => request.Scheme,
            _ => request.Headers.TryGetValue(name, out StringValues values) ? values.ToString() : null,
        };
    }

    private static string? Plain(IPAddress? address) => address is null ? null
        : address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address.ToString();

    private static string? WithPort(IPAddress? address, int port) => address is null ? null
        : WithPort(Plain(address)!, port);

    private static string WithPort(string host, int port) => host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
}
