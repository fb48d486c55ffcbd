using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Google.Protobuf.Reflection;
using Validate;

namespace Kmesh.Xds.Validation;

/// <summary>
/// A quick proof that an <c>LbEndpoint</c> of the usual shape (an IP and a port, maybe a weight and
/// a hostname) breaks no proto rule, so <see cref="ProtoValidator"/> can skip its reflective walk.
/// A mesh sends 100 000 of them; walking each one by reflection (four messages deep) was most of
/// the validation time at start-up.
/// <para>
/// It only ever says "valid"; anything it does not recognise — metadata, health-check settings,
/// extra addresses, a pipe, a named port, a value that breaks a rule — leaves the endpoint to the
/// reflective walk, which finds and words the violations. So the findings are the walk's by
/// construction, provided every accepted endpoint is one the walk accepts. That rests on the rules
/// the protos carry today (a weight of at least 1, a port up to 65 535, a non-empty address, a
/// defined protocol, a required address and port); <see cref="Enabled"/> compares the validation
/// plans of the four messages with those rules when first used and turns the proof off if the
/// protos ever say anything else.
/// </para>
/// </summary>
internal static class LbEndpointProof
{
    /// <summary>Whether the protos' rules are the ones this proof was written against.</summary>
    public static bool Enabled { get; } = PlansAreAsWritten();

    /// <summary>True only when <paramref name="endpoint"/> certainly breaks no rule; false means "walk it".</summary>
    public static bool Holds(LbEndpoint endpoint)
    {
        if (endpoint.Metadata is not null)
            return false;
        if (endpoint.LoadBalancingWeight is { } weight && weight < 1)
            return false;
        if (endpoint.HostIdentifierCase != LbEndpoint.HostIdentifierOneofCase.Endpoint)
            return true; // endpoint_name or nothing: neither carries a rule
        var host = endpoint.Endpoint;
        if (host.HealthCheckConfig is not null || host.AdditionalAddresses.Count > 0)
            return false;
        var address = host.Address;
        if (address is null)
            return true; // not required by the protos (Envoy's own checks catch it later)
        if (address.AddressCase != Address.AddressOneofCase.SocketAddress)
            return false; // includes no address at all, which breaks the required oneof
        var socket = address.SocketAddress;
        return socket.Protocol is SocketAddress.Types.Protocol.Tcp or SocketAddress.Types.Protocol.Udp
            && socket.PortSpecifierCase == SocketAddress.PortSpecifierOneofCase.PortValue
            && socket.PortValue <= 65535
            && HasACharacter(socket.Address);
    }

    /// <summary>min_len 1 counts characters (runes); a lone surrogate is left to the walk's own count.</summary>
    private static bool HasACharacter(string text) => text.Length > 1 || text.Length == 1 && !char.IsSurrogate(text[0]);

    private static bool PlansAreAsWritten() =>
        Matches(LbEndpoint.Descriptor, [], [("endpoint", null), ("metadata", null), ("load_balancing_weight", new FieldRules { Uint32 = new UInt32Rules { Gte = 1 } })])
        && Matches(Endpoint.Descriptor, [], [("address", null), ("health_check_config", null), ("additional_addresses", null)])
        && Matches(Address.Descriptor, ["address"], [("socket_address", null), ("pipe", null), ("envoy_internal_address", null)])
        && Matches(SocketAddress.Descriptor, ["port_specifier"],
        [
            ("protocol", new FieldRules { Enum = new EnumRules { DefinedOnly = true } }),
            ("address", new FieldRules { String = new StringRules { MinLen = 1 } }),
            ("port_value", new FieldRules { Uint32 = new UInt32Rules { Lte = 65535 } }),
        ])
        && SocketAddress.Descriptor.FindFieldByName("protocol").EnumType.Values.Select(v => v.Number).Order().SequenceEqual([0, 1]);

    private static bool Matches(MessageDescriptor descriptor, string[] requiredOneofs, (string Name, FieldRules? Rules)[] fields)
    {
        var plan = MessagePlan.For(descriptor);
        return !plan.Disabled
            && plan.RequiredOneofs.Select(o => o.Name).SequenceEqual(requiredOneofs)
            && plan.Fields.Length == fields.Length
            && plan.Fields.Zip(fields).All(p => p.First.Field.Name == p.Second.Name && Equals(p.First.Rules, p.Second.Rules));
    }
}
