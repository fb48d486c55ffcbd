using System.Reflection;
using Google.Protobuf.Reflection;

namespace Kmesh.Envoy.Api;

/// <summary>
/// Well-known type URLs of the Envoy resources Kmesh reads, and a <see cref="TypeRegistry"/>
/// of every message compiled into this assembly, for resolving <c>google.protobuf.Any</c>.
/// </summary>
public static class EnvoyTypes
{
    /// <summary>The prefix every xDS type URL carries.</summary>
    public const string TypeUrlPrefix = "type.googleapis.com/";

    /// <summary>Type URL of <c>envoy.config.listener.v3.Listener</c> (LDS).</summary>
    public const string Listener = TypeUrlPrefix + "envoy.config.listener.v3.Listener";

    /// <summary>Type URL of <c>envoy.config.cluster.v3.Cluster</c> (CDS).</summary>
    public const string Cluster = TypeUrlPrefix + "envoy.config.cluster.v3.Cluster";

    /// <summary>Type URL of <c>envoy.config.endpoint.v3.ClusterLoadAssignment</c> (EDS).</summary>
    public const string ClusterLoadAssignment = TypeUrlPrefix + "envoy.config.endpoint.v3.ClusterLoadAssignment";

    /// <summary>Type URL of <c>envoy.config.route.v3.RouteConfiguration</c> (RDS).</summary>
    public const string RouteConfiguration = TypeUrlPrefix + "envoy.config.route.v3.RouteConfiguration";

    /// <summary>Type URL of the TCP proxy network filter's config.</summary>
    public const string TcpProxy = TypeUrlPrefix + "envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";

    /// <summary>Type URL of the HTTP connection manager network filter's config.</summary>
    public const string HttpConnectionManager =
        TypeUrlPrefix + "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

    /// <summary>Every generated file descriptor of this assembly, in a stable (name) order.</summary>
    public static IReadOnlyList<FileDescriptor> Files { get; } = FindFiles();

    /// <summary>
    /// Resolves any message of this assembly (and of the files they import, such as the
    /// well-known types) by full name, as JSON parsing and formatting of <c>Any</c> need.
    /// </summary>
    public static TypeRegistry Registry { get; } = TypeRegistry.FromFiles(Files.ToArray());

    /// <summary>The type URL of a message type, e.g. for a <c>DiscoveryRequest.type_url</c>.</summary>
    public static string TypeUrlOf(MessageDescriptor descriptor) => TypeUrlPrefix + descriptor.FullName;

    // protoc emits one static "<File>Reflection" class per .proto with a Descriptor property;
    // finding them by reflection keeps this list right whatever the proto closure becomes.
    private static List<FileDescriptor> FindFiles() =>
        typeof(EnvoyTypes).Assembly.GetTypes()
            .Where(t => t is { IsAbstract: true, IsSealed: true } && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static))
            .Where(p => p?.PropertyType == typeof(FileDescriptor))
            .Select(p => (FileDescriptor)p!.GetValue(null)!)
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
}
