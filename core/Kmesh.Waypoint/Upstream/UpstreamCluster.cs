namespace Kmesh.Waypoint.Upstream;

/// <summary>A cluster as the waypoint uses it: its endpoints' picker, protocol and connect timeout.</summary>
internal sealed record UpstreamCluster(string Name, EndpointPicker Picker, UpstreamProtocol Protocol, TimeSpan ConnectTimeout)
{
    /// <summary>Envoy's cluster <c>connect_timeout</c> when unset.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(5);
}
