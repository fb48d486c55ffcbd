using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Envoy.Config.Core.V3;
using Google.Protobuf.WellKnownTypes;

namespace Kmesh.Xds.Ads;

/// <summary>
/// The node the client presents, in the form Istiod expects: id
/// <c>sidecar~IP~HOST.NAMESPACE~NAMESPACE.svc.cluster.local</c> and metadata CLUSTER_ID,
/// NAMESPACE, LABELS and NAME (Istiod looks up the proxy's registry and namespace from them).
/// </summary>
public static class XdsNodeIdentity
{
    /// <summary>Kmesh's user agent name in <c>node.user_agent_name</c>.</summary>
    public const string UserAgent = "kmesh-dotnet";

    /// <summary>Builds the node for <paramref name="options"/>.</summary>
    public static Node Build(XdsClientOptions options)
    {
        var host = Environment.MachineName;
        var node = new Node
        {
            Id = options.NodeId ?? DefaultId(HostAddress(), host, options.Namespace),
            Cluster = $"{host}.{options.Namespace}",
            UserAgentName = UserAgent,
            UserAgentVersion = typeof(XdsNodeIdentity).Assembly.GetName().Version?.ToString() ?? "0",
            Metadata = new Struct(),
        };
        var labels = new Struct();
        foreach (var (key, value) in options.Labels)
            labels.Fields[key] = Value.ForString(value);
        node.Metadata.Fields["CLUSTER_ID"] = Value.ForString(options.ClusterId);
        node.Metadata.Fields["NAMESPACE"] = Value.ForString(options.Namespace);
        node.Metadata.Fields["NAME"] = Value.ForString(host);
        node.Metadata.Fields["LABELS"] = Value.ForStruct(labels);
        return node;
    }

    /// <summary>Istio's sidecar node id.</summary>
    public static string DefaultId(IPAddress ip, string host, string ns) => $"sidecar~{ip}~{host}.{ns}~{ns}.svc.cluster.local";

    /// <summary>The host's first up, non-loopback IPv4 address (the pod IP in a pod); loopback when there is none.</summary>
    public static IPAddress HostAddress()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
                .SelectMany(n => n.GetIPProperties().UnicastAddresses)
                .Select(a => a.Address)
                .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
                ?? IPAddress.Loopback;
        }
        catch (NetworkInformationException)
        {
            return IPAddress.Loopback;
        }
    }
}
