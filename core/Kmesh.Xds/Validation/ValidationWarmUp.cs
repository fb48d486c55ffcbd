using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Kmesh.Envoy.Api;

namespace Kmesh.Xds.Validation;

/// <summary>
/// Builds what checking the first response needs — the Envoy protos' descriptors (a few hundred
/// files, built on first use), the validation plans of the resource types, the endpoint proof's
/// check — while the stream is still connecting, instead of after the first response arrived:
/// at a 10 000-service start that was ~0.4 s between receiving the clusters and checking them.
/// </summary>
internal static class ValidationWarmUp
{
    /// <summary>Starts the warm-up on the thread pool; a failure is left for the first real use to report.</summary>
    public static void Start() => _ = Task.Run(Run);

    private static void Run()
    {
        try
        {
            _ = EnvoyTypes.Registry;
            _ = LbEndpointProof.Enabled;
            foreach (var descriptor in new[] { Cluster.Descriptor, ClusterLoadAssignment.Descriptor, Listener.Descriptor, RouteConfiguration.Descriptor })
                MessagePlan.For(descriptor);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The check that needs it throws the same, where it is reported.
        }
    }
}
