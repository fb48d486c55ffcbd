using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Google.Protobuf.Reflection;
using Kmesh.Envoy.Api;

namespace Kmesh.Xds.Tests;

/// <summary>The generated Envoy API assembly's registry and type URL constants.</summary>
public class EnvoyTypesTests
{
    [Fact]
    public void TypeUrlConstants_MatchTheGeneratedDescriptors()
    {
        Assert.Equal(EnvoyTypes.Listener, EnvoyTypes.TypeUrlOf(Listener.Descriptor));
        Assert.Equal(EnvoyTypes.Cluster, EnvoyTypes.TypeUrlOf(Cluster.Descriptor));
        Assert.Equal(EnvoyTypes.ClusterLoadAssignment, EnvoyTypes.TypeUrlOf(ClusterLoadAssignment.Descriptor));
        Assert.Equal(EnvoyTypes.RouteConfiguration, EnvoyTypes.TypeUrlOf(RouteConfiguration.Descriptor));
        Assert.Equal(EnvoyTypes.TcpProxy, EnvoyTypes.TypeUrlOf(TcpProxy.Descriptor));
        Assert.Equal(EnvoyTypes.HttpConnectionManager, EnvoyTypes.TypeUrlOf(HttpConnectionManager.Descriptor));
    }

    [Theory]
    [InlineData("envoy.config.listener.v3.Listener")]
    [InlineData("envoy.extensions.filters.http.fault.v3.HTTPFault")]
    [InlineData("envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit")]
    [InlineData("envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit")]
    [InlineData("envoy.admin.v3.ListenersConfigDump")]
    [InlineData("envoy.service.discovery.v3.DiscoveryResponse")]
    [InlineData("google.protobuf.Duration")]
    public void Registry_ResolvesByFullName(string name) => Assert.NotNull(EnvoyTypes.Registry.Find(name));

    [Fact]
    public void Files_CoverTheWholeClosure()
    {
        Assert.Contains(EnvoyTypes.Files, f => f.Name == "envoy/service/discovery/v3/ads.proto");
        Assert.Contains(EnvoyTypes.Files, f => f.Name == "validate/validate.proto");
        Assert.DoesNotContain(EnvoyTypes.Files, f => f.Name.StartsWith("google/protobuf/", StringComparison.Ordinal));
        Assert.True(EnvoyTypes.Files.Count > 80);
    }

    [Fact]
    public void AdsClientStubIsGenerated()
    {
        var service = Assert.Single(EnvoyTypes.Files.Single(f => f.Name == "envoy/service/discovery/v3/ads.proto").Services);
        Assert.Equal("envoy.service.discovery.v3.AggregatedDiscoveryService", service.FullName);
        Assert.NotNull(typeof(global::Envoy.Service.Discovery.V3.AggregatedDiscoveryService.AggregatedDiscoveryServiceClient));
        _ = service.Methods.Single(m => m.Name == "StreamAggregatedResources") as MethodDescriptor;
    }
}
