using System.Diagnostics;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Envoy.Api;
using Kmesh.Sdk.Snapshot;
using Kmesh.Xds.Validation;
using Xunit.Abstractions;
using static Kmesh.Xds.Tests.Ads.Resources;

namespace Kmesh.Xds.Tests.Validation;

/// <summary>The validator alone: each rule kind, where rules apply and where they do not, Envoy's checks in code, and its cost.</summary>
public sealed class ProtoValidatorTests(ITestOutputHelper output)
{
    [Theory]
    [MemberData(nameof(MalformedResources.Kinds), MemberType = typeof(MalformedResources))]
    public void MalformedResource_GetsOneRejection_NamingResourceFieldAndRule(string kind)
    {
        var malformed = MalformedResources.Get(kind);
        var label = malformed.Expected[..malformed.Expected.IndexOf(':', StringComparison.Ordinal)];

        Assert.True(ResourceRef.TryParse(label, out var resource), label);
        var rejections = ResourceValidator.Validate(malformed.Resource, resource);

        Assert.Equal([malformed.Expected], rejections.Select(r => r.ToString()));
    }

    [Fact]
    public void WellFormedResources_HaveNoViolations()
    {
        Assert.Empty(ResourceValidator.Validate(Eds("a"), ResourceRef.Cluster("a")));
        Assert.Empty(ResourceValidator.Validate(Cla("a", "fe80::1"), ResourceRef.LoadAssignment("a")));
        Assert.Empty(ResourceValidator.Validate(Tcp("l", "a"), ResourceRef.Listener("l")));
        Assert.Empty(ResourceValidator.Validate(Http("h", "r"), ResourceRef.Listener("h")));
        Assert.Empty(ResourceValidator.Validate(Routes("r", "a"), ResourceRef.Routes("r")));
    }

    [Fact]
    public void DescriptorsCarryTheValidateExtensions()
    {
        // If Google.Protobuf ever stopped exposing custom options, every rule would silently pass: guard it.
        var rules = LbEndpoint.Descriptor.FindFieldByName("load_balancing_weight").GetOptions().GetExtension(Validate.ValidateExtensions.Rules);
        Assert.Equal(1u, rules.Uint32.Gte);
    }

    [Fact]
    public void UnsetWrapperAndUnsetOneofMember_AreNotChecked_ButASetOneofMemberIs()
    {
        var cla = Cla("a");
        cla.Endpoints[0].LbEndpoints[0].LoadBalancingWeight = null; // unset: Envoy's default of 1, no rule applies
        Assert.Empty(ProtoValidator.Validate(cla));

        var route = Routes("r", "a");
        route.VirtualHosts[0].Routes[0].Route_.Cluster = ""; // the set member of cluster_specifier: min_len 1 applies
        var violation = Assert.Single(ProtoValidator.Validate(route));
        Assert.Equal("virtual_hosts[0].routes[0].route.cluster", violation.Path);
        Assert.Equal("value length must be at least 1 characters", violation.Reason);
    }

    [Fact]
    public void EveryViolationOfAResourceIsFound_UpToTheCap()
    {
        var cla = Cla("a");
        for (var i = 0; i < 9; i++)
            cla.Endpoints[0].LbEndpoints.Add(new LbEndpoint { LoadBalancingWeight = 0, Endpoint = cla.Endpoints[0].LbEndpoints[0].Endpoint });

        Assert.Equal(9, ProtoValidator.Validate(cla).Count);
        var rejections = ResourceValidator.Validate(cla, ResourceRef.LoadAssignment("a"));
        Assert.Equal(ResourceValidator.MaxPerResource + 1, rejections.Count);
        Assert.Equal("cluster load assignment a: and 4 more violations", rejections[^1].ToString());
    }

    [Theory]
    [InlineData("10.0.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1%2", true)]
    [InlineData("999.0.0.1", false)]
    [InlineData("127.1", false)]
    [InlineData("0x7f.0.0.1", false)]
    [InlineData("010.0.0.1", false)]
    [InlineData("2130706433", false)]
    [InlineData("reviews.default.svc", false)]
    [InlineData("", false)]
    public void IpLiterals_AreReadAsEnvoyReadsThem(string text, bool valid) => Assert.Equal(valid, EnvoyAddresses.IsIpLiteral(text));

    [Fact]
    public void DnsAndCustomResolverEndpoints_AreNotIpChecked()
    {
        var dns = Static("d");
        dns.Type = Cluster.Types.DiscoveryType.StrictDns;
        dns.LoadAssignment = Cla("d", "reviews.default.svc");
        Assert.Empty(ResourceValidator.Validate(dns, ResourceRef.Cluster("d")));

        var resolved = Cla("a", "anything");
        resolved.Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.ResolverName = "envoy.resolvers.custom";
        Assert.Empty(ResourceValidator.Validate(resolved, ResourceRef.LoadAssignment("a")));

        var staticCluster = Static("s");
        staticCluster.LoadAssignment = Cla("s", "reviews.default.svc");
        Assert.Equal("cluster s: load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: malformed IP address: reviews.default.svc",
            Assert.Single(ResourceValidator.Validate(staticCluster, ResourceRef.Cluster("s"))).ToString());
    }

    [Fact]
    public void WeightsOverflowingUInt32_AreRefusedForRingHashAndMaglev_Only()
    {
        var heavy = Cla("a");
        heavy.Endpoints[0].LbEndpoints[0].LoadBalancingWeight = uint.MaxValue;
        heavy.Endpoints[0].LbEndpoints.Add(new LbEndpoint { LoadBalancingWeight = 1, Endpoint = heavy.Endpoints[0].LbEndpoints[0].Endpoint });
        var ringHash = Eds("a");
        ringHash.LbPolicy = Cluster.Types.LbPolicy.RingHash;

        Assert.Equal("cluster load assignment a: endpoints[0].lb_endpoints: The sum of weights of all upstream hosts in a locality exceeds 4294967295",
            Assert.Single(ResourceValidator.Validate(heavy, ResourceRef.LoadAssignment("a"), ringHash)).ToString());
        Assert.Empty(ResourceValidator.Validate(heavy, ResourceRef.LoadAssignment("a"), Eds("a"))); // ROUND_ROBIN: Envoy sums nothing

        var localities = Cla("a");
        localities.Endpoints[0].LoadBalancingWeight = uint.MaxValue;
        localities.Endpoints.Add(new LocalityLbEndpoints { LoadBalancingWeight = 2, LbEndpoints = { localities.Endpoints[0].LbEndpoints[0] } });
        ringHash.CommonLbConfig = new Cluster.Types.CommonLbConfig { LocalityWeightedLbConfig = new Cluster.Types.CommonLbConfig.Types.LocalityWeightedLbConfig() };
        Assert.Equal("cluster load assignment a: endpoints[1].load_balancing_weight: The sum of weights of all localities at the same priority exceeds 4294967295",
            Assert.Single(ResourceValidator.Validate(localities, ResourceRef.LoadAssignment("a"), ringHash)).ToString());
    }

    [Fact]
    public void NumericRanges_UsePgvWording()
    {
        var cluster = Static("c");
        cluster.CommonLbConfig = new Cluster.Types.CommonLbConfig { HealthyPanicThreshold = new global::Envoy.Type.V3.Percent { Value = 120 } };
        var violation = Assert.Single(ProtoValidator.Validate(cluster));
        Assert.Equal("common_lb_config.healthy_panic_threshold.value", violation.Path);
        Assert.Equal("value must be inside range [0, 100]", violation.Reason);
    }

    [Fact]
    public void TenThousandServices_AllValid_WithTheCostPrinted()
    {
        var resources = new List<(Google.Protobuf.IMessage Message, ResourceRef Label)>();
        for (var i = 0; i < 10_000; i++)
        {
            var name = $"svc-{i}";
            var cla = Cla(name, $"10.{i / 250 % 256}.{i % 250}.1");
            cla.Endpoints[0].LbEndpoints.Add(new LbEndpoint { LoadBalancingWeight = 2, Endpoint = new Endpoint { Address = new Address { SocketAddress = new SocketAddress { Address = $"10.{i / 250 % 256}.{i % 250}.2", PortValue = 80 } } } });
            resources.Add((Eds(name), ResourceRef.Cluster(name)));
            resources.Add((cla, ResourceRef.LoadAssignment(name)));
            resources.Add((Tcp(name, name), ResourceRef.Listener(name)));
            resources.Add((Routes(name, name), ResourceRef.Routes(name)));
        }
        ResourceValidator.Validate(resources[0].Message, resources[0].Label); // plans are built once per type; measure the steady state too
        var cold = Stopwatch.StartNew();
        var violations = resources.Sum(r => ResourceValidator.Validate(r.Message, r.Label).Count);
        cold.Stop();
        var warm = Stopwatch.StartNew();
        foreach (var (message, label) in resources)
            ResourceValidator.Validate(message, label);
        warm.Stop();
        // The proto rules of the bench's assignments (10 000 of 10 endpoints) alone, with and without
        // the endpoint proof (LbEndpointProof), interleaved twice.
        var assignments = Enumerable.Range(0, 10_000).Select(i =>
        {
            var cla = Cla($"svc-{i}", $"10.{i / 250 % 256}.{i % 250}.1");
            for (var e = 2; e <= 10; e++)
                cla.Endpoints[0].LbEndpoints.Add(new LbEndpoint { Endpoint = new Endpoint { Address = new Address { SocketAddress = new SocketAddress { Address = $"10.{i / 250 % 256}.{i % 250}.{e}", PortValue = 80 } } } });
            return cla;
        }).ToList();
        var withProof = new Stopwatch();
        var walkOnly = new Stopwatch();
        for (var round = 0; round < 2; round++)
        {
            withProof.Start();
            foreach (var assignment in assignments)
                ProtoValidator.Validate(assignment, proofs: true);
            withProof.Stop();
            walkOnly.Start();
            foreach (var assignment in assignments)
                ProtoValidator.Validate(assignment, proofs: false);
            walkOnly.Stop();
        }

        // For scale: decoding the same resources from their wire bytes, which every push does anyway.
        var wire = resources.Select(r => (r.Message.Descriptor.Parser, Bytes: r.Message.ToByteString())).ToList();
        var decode = Stopwatch.StartNew();
        foreach (var (parser, bytes) in wire)
            parser.ParseFrom(bytes);
        decode.Stop();

        output.WriteLine($"decoding them: {decode.ElapsedMilliseconds} ms");
        output.WriteLine($"40000 resources (10000 services: cluster, assignment of 2 endpoints, TCP listener, routes): first pass {cold.ElapsedMilliseconds} ms, second {warm.ElapsedMilliseconds} ms");
        output.WriteLine($"proto rules of 10000 assignments of 10 endpoints, two passes: {withProof.ElapsedMilliseconds} ms with the endpoint proof, {walkOnly.ElapsedMilliseconds} ms walking every endpoint");
        // Timings are printed for whoever looks; speed goals live in bench/, not in a test that a busy machine fails.
        Assert.Equal(0, violations);
    }
}
