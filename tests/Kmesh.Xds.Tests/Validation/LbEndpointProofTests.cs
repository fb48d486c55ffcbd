using CsCheck;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Sdk.Snapshot;
using Kmesh.Xds.Sources;
using Kmesh.Xds.Validation;

namespace Kmesh.Xds.Tests.Validation;

/// <summary>
/// The quick proof for the usual endpoint (<see cref="LbEndpointProof"/>) must change nothing a user
/// sees: on random assignments, valid and malformed alike, validation with it finds the same
/// violations, at the same paths, in the same order, worded the same, as the reflective walk alone.
/// </summary>
public sealed class LbEndpointProofTests
{
    // Each endpoint is a recipe of choices, so a failing case prints (and shrinks) as numbers.
    private static readonly Gen<int[][][]> Assignments = Gen.Int[0, 9999].Array[14].Array[0, 6].Array[0, 3];

    private static readonly string[] Hosts =
        ["10.0.0.1", "fe80::1", "", "a", "\ud800", "1.2.3", "01.2.3.4", "256.1.1.1", "1.2.3.4.", "10.1.2.3", "::ffff:1.2.3.4", "x.example", "1.2.3.4"];

    private static readonly uint[] Numbers = [0, 1, 2, 80, 128, 129, 65535, 65536, uint.MaxValue];

    [Fact]
    public void TheProtosRules_AreTheOnesTheProofWasWrittenAgainst() =>
        // Off, the proof costs nothing but time; this says when a proto upgrade turned it off.
        Assert.True(LbEndpointProof.Enabled);

    [Fact]
    public void RandomAssignments_GetTheWalksFindings_WithOrWithoutTheProof()
    {
        var proven = 0;
        var walked = 0;
        Assignments.Sample(recipe =>
        {
            var assignment = Build(recipe);
            foreach (var endpoint in assignment.Endpoints.SelectMany(l => l.LbEndpoints))
            {
                if (LbEndpointProof.Holds(endpoint))
                    proven++;
                else
                    walked++;
            }
            var quick = ProtoValidator.Validate(assignment, proofs: true);
            var reflective = ProtoValidator.Validate(assignment, proofs: false);
            Assert.Equal(reflective, quick);
            // What a NACK carries (proto rules, Envoy's checks in code, the cap of five) is the same too.
            var label = ResourceRef.LoadAssignment("a");
            Assert.Equal(ResourceValidator.Validate(assignment, label, Owner).Select(r => r.ToString()),
                Reflective(assignment, label).Select(r => r.ToString()));
        }, iter: 2000, threads: 1, print: recipe => string.Join(" | ", recipe.Select(l => string.Join(" ", l.Select(e => string.Join(",", e))))));
        // Both sides must have been exercised: endpoints the proof vouches for, and ones left to the walk.
        Assert.True(proven > 1000, $"only {proven} endpoints proven");
        Assert.True(walked > 1000, $"only {walked} endpoints walked");
    }

    [Fact]
    public void EveryRuleOfTheUsualEndpoint_IsStillReported()
    {
        var assignment = Build([[[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]]);
        var endpoint = assignment.Endpoints[0].LbEndpoints[0];
        Assert.True(LbEndpointProof.Holds(endpoint));
        endpoint.LoadBalancingWeight = 0;
        endpoint.Endpoint.Address.SocketAddress.PortValue = 65536;
        endpoint.Endpoint.Address.SocketAddress.Address = "";
        endpoint.Endpoint.Address.SocketAddress.Protocol = (SocketAddress.Types.Protocol)7;

        Assert.Equal(
        [
            "endpoints[0].lb_endpoints[0].endpoint.address.socket_address.protocol: value must be one of the defined enum values",
            "endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address: value length must be at least 1 characters",
            "endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value: value must be less than or equal to 65535",
            "endpoints[0].lb_endpoints[0].load_balancing_weight: value must be greater than or equal to 1",
        ], ProtoValidator.Validate(assignment).Select(v => v.ToString()));
    }

    [Fact]
    public void IpLiterals_AreReadAsTheyWereBeforeTheyWereReadInPlace()
    {
        Gen.OneOf(Gen.Int[0, Hosts.Length - 1].Select(i => Hosts[i]), Gen.Char["0123456789.:ax"].Array[0, 18].Select(c => new string(c))).Sample(
            text => Assert.Equal(SplitReading(text), EnvoyAddresses.IsIpLiteral(text)), iter: 20_000, threads: 1);
    }

    /// <summary>The reading that split the text into strings (the code before), kept as the oracle.</summary>
    private static bool SplitReading(string text)
    {
        if (text.Contains(':'))
            return EnvoyAddresses.IsIpLiteral(text); // the IPv6 branch did not change
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(part => part.Length is > 0 and <= 3 && part.All(char.IsAsciiDigit)
            && !(part.Length > 1 && part[0] == '0') && int.Parse(part, System.Globalization.CultureInfo.InvariantCulture) <= 255);
    }

    // A ring-hash cluster, so Envoy's weight-sum checks run beside the proto rules.
    private static readonly Cluster Owner = new() { Name = "a", LbPolicy = Cluster.Types.LbPolicy.RingHash };

    private static List<string> Reflective(ClusterLoadAssignment assignment, ResourceRef label)
    {
        var violations = ProtoValidator.Validate(assignment, proofs: false);
        EnvoySemantics.Assignment(assignment, Owner, violations);
        var result = violations.Take(ResourceValidator.MaxPerResource).Select(v => new ResourceRejection(label, v.Path, v.Reason).ToString()).ToList();
        if (violations.Count > ResourceValidator.MaxPerResource)
            result.Add(new ResourceRejection(label, "", $"and {violations.Count - ResourceValidator.MaxPerResource} more violations").ToString());
        return result;
    }

    private static ClusterLoadAssignment Build(int[][][] recipe)
    {
        var assignment = new ClusterLoadAssignment { ClusterName = "a" };
        foreach (var locality in recipe)
        {
            var group = new LocalityLbEndpoints { Priority = locality.Length > 0 ? Numbers[locality[0][13] % 6] : 0 };
            foreach (var choices in locality)
                group.LbEndpoints.Add(Endpoint(choices));
            assignment.Endpoints.Add(group);
        }
        return assignment;
    }

    /// <summary>Mostly the usual endpoint (choice 0 everywhere is an IPv4 address and port 80), with every way to differ.</summary>
    private static LbEndpoint Endpoint(int[] c)
    {
        var usual = c[0] % 3 != 2; // two in three endpoints stay on the common path, varied only in their values
        var endpoint = new LbEndpoint();
        switch (usual ? 0 : c[1] % 4)
        {
            case 0:
                endpoint.Endpoint = new Endpoint { Address = Address(c, usual), Hostname = c[2] % 2 == 0 ? "" : "h" };
                break;
            case 1:
                endpoint.EndpointName = "named";
                break;
            case 2:
                endpoint.Endpoint = new Endpoint();
                break;
        } // case 3: no host at all
        if (c[3] % 3 == 1)
            endpoint.LoadBalancingWeight = Numbers[c[4] % Numbers.Length];
        if (!usual && endpoint.Endpoint is { } host)
        {
            if (c[5] % 4 == 1)
                host.HealthCheckConfig = new Endpoint.Types.HealthCheckConfig { PortValue = Numbers[c[6] % Numbers.Length], Address = c[6] % 2 == 0 ? null : Address(c, false) };
            if (c[5] % 4 == 2)
                host.AdditionalAddresses.Add(new Endpoint.Types.AdditionalAddress { Address = Address(Enumerable.Reverse(c).ToArray(), false) });
        }
        if (!usual && c[7] % 4 == 1)
            endpoint.Metadata = new Metadata { TypedFilterMetadata = { ["f"] = Any.Pack(new Pipe { Path = c[8] % 2 == 0 ? "" : "/p" }) } };
        return endpoint;
    }

    private static Address Address(int[] c, bool usual)
    {
        switch (usual ? 0 : c[9] % 5)
        {
            case 1:
                return new Address { Pipe = new Pipe { Path = c[10] % 2 == 0 ? "" : "/p" } };
            case 2:
                return new Address();
            case 3:
                return new Address { EnvoyInternalAddress = new EnvoyInternalAddress() };
        }
        var socket = new SocketAddress
        {
            Address = Hosts[c[10] % Hosts.Length],
            Protocol = (SocketAddress.Types.Protocol)(c[11] % 7 == 6 ? 2 : c[11] % 2),
            ResolverName = c[11] % 5 == 4 ? "custom" : "",
        };
        switch (c[12] % 6)
        {
            case 4:
                socket.NamedPort = "http";
                break;
            case 5:
                break; // no port: the required oneof is broken
            default:
                socket.PortValue = Numbers[c[12] % Numbers.Length];
                break;
        }
        return new Address { SocketAddress = socket };
    }
}
