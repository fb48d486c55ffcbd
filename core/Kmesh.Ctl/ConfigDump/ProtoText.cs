using System.Reflection;
using CoreAddress = Envoy.Config.Core.V3.Address;
using CoreSocketAddress = Envoy.Config.Core.V3.SocketAddress;
using Google.Protobuf.Reflection;

namespace Kmesh.Ctl.ConfigDump;

/// <summary>How protobuf values read in a table: enums as in the proto (<c>ROUND_ROBIN</c>), addresses as <c>ip:port</c>.</summary>
internal static class ProtoText
{
    public static string EnumName<T>(T value) where T : struct, Enum =>
        typeof(T).GetField(value.ToString())?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? value.ToString();

    public static string Address(CoreAddress? address) => address?.AddressCase switch
    {
        CoreAddress.AddressOneofCase.SocketAddress => Socket(address.SocketAddress),
        CoreAddress.AddressOneofCase.Pipe => "unix:" + address.Pipe.Path,
        CoreAddress.AddressOneofCase.EnvoyInternalAddress => "internal:" + address.EnvoyInternalAddress.ServerListenerName,
        _ => "-",
    };

    private static string Socket(CoreSocketAddress socket)
    {
        var port = socket.PortSpecifierCase == CoreSocketAddress.PortSpecifierOneofCase.NamedPort
            ? socket.NamedPort
            : socket.PortValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // IPv6 in brackets so that the port stays readable.
        var host = socket.Address.Contains(':', StringComparison.Ordinal) ? $"[{socket.Address}]" : socket.Address;
        return $"{host}:{port}";
    }

    /// <summary>The last segment of a type URL: <c>envoy.extensions...TcpProxy</c> → <c>TcpProxy</c>.</summary>
    public static string ShortType(string typeUrl) => typeUrl[(typeUrl.LastIndexOf('.') + 1)..];
}
