namespace Kmesh.Sdk.Snapshot;

/// <summary>
/// What Istio's metrics call a connection's destination, read from the cluster it went to:
/// Istio names outbound clusters <c>outbound|PORT|SUBSET|HOST</c>, and its dashboards group by
/// the HOST (<c>reviews.default.svc.cluster.local</c>), its first label (the service name), the
/// namespace (the second label of a Kubernetes service host) and the subset (the version).
/// Any other cluster name is the service itself.
/// </summary>
/// <param name="Service">destination_service.</param>
/// <param name="Name">destination_service_name.</param>
/// <param name="Namespace">destination_service_namespace; <c>unknown</c> when the name does not say.</param>
/// <param name="Version">destination_version: the subset; <c>unknown</c> without one.</param>
public sealed record IstioService(string Service, string Name, string Namespace, string Version)
{
    /// <summary>Istio's value for a label the node cannot know.</summary>
    public const string Unknown = "unknown";

    /// <summary>The destination of connections that went to <paramref name="cluster"/> (a name; null or empty: unknown).</summary>
    public static IstioService Of(string? cluster)
    {
        if (string.IsNullOrEmpty(cluster))
            return new IstioService(Unknown, Unknown, Unknown, Unknown);
        var parts = cluster.Split('|');
        if (parts.Length == 4 && parts[0] is "outbound" or "inbound" && parts[3].Length > 0)
        {
            var host = parts[3];
            var labels = host.Split('.');
            var ns = labels.Length >= 3 && labels[2] == "svc" ? labels[1] : Unknown;
            return new IstioService(host, labels[0], ns, parts[2].Length > 0 ? parts[2] : Unknown);
        }
        return new IstioService(cluster, cluster, Unknown, Unknown);
    }
}
