using Envoy.Service.Discovery.V3;
using Grpc.Core;

namespace Kmesh.Xds.Server;

/// <summary>The gRPC service: one session per stream, SotW or delta.</summary>
internal sealed class AdsService(ResourceStore store, AdsServerEvents events) : AggregatedDiscoveryService.AggregatedDiscoveryServiceBase
{
    public override Task StreamAggregatedResources(IAsyncStreamReader<DiscoveryRequest> requestStream, IServerStreamWriter<DiscoveryResponse> responseStream, ServerCallContext context) =>
        new SotwSession(store, events, context.Peer).RunAsync(requestStream, responseStream, context.CancellationToken);

    public override Task DeltaAggregatedResources(IAsyncStreamReader<DeltaDiscoveryRequest> requestStream, IServerStreamWriter<DeltaDiscoveryResponse> responseStream, ServerCallContext context) =>
        new DeltaSession(store, events, context.Peer).RunAsync(requestStream, responseStream, context.CancellationToken);
}
