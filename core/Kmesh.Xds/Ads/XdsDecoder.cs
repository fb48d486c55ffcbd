using System.Runtime.InteropServices;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Sdk.Snapshot;
using Kmesh.Xds.Sources;

namespace Kmesh.Xds.Ads;

/// <summary>
/// Decodes the resources of one response, refusing what Envoy refuses before looking inside:
/// another type than the response's, bytes that do not parse, no name, a name given twice; and
/// what is over <see cref="ParseLimits"/>: more resources than
/// <see cref="ParseLimits.MaxResourcesPerResponse"/>, messages nested deeper than
/// <see cref="ParseLimits.MaxMessageDepth"/> (protobuf's parser is recursive).
/// </summary>
internal static class XdsDecoder
{
    /// <summary>One resource as it came on the wire: the name the envelope gives (delta), the body, its version.</summary>
    public sealed record Wire(string? Name, Any? Body, string Version);

    // sotw (SotW): the accepted bodies a body with the same bytes takes its message from (not parsed again).
    public static List<XdsResource> Decode(string typeUrl, IEnumerable<Wire> wire, List<ResourceRejection> errors, SotwBodies? sotw = null)
    {
        var parser = XdsTypes.Parser(typeUrl);
        var result = new List<XdsResource>();
        if (parser is null)
        {
            errors.Add(new ResourceRejection(typeUrl, "", "Kmesh does not subscribe to this type"));
            return result;
        }
        var items = wire as IReadOnlyList<Wire> ?? wire.ToList();
        if (items.Count > ParseLimits.MaxResourcesPerResponse)
        {
            errors.Add(new ResourceRejection(typeUrl, "resources",
                $"{items.Count:N0} resources in one response, over the limit of {ParseLimits.MaxResourcesPerResponse:N0} (docs/limits.md)"));
            return result;
        }
        result.EnsureCapacity(items.Count);
        var bodies = ParseAll(parser, typeUrl, items, sotw);
        var seen = new HashSet<string>(items.Count, StringComparer.Ordinal);
        // Where a resource is, spelled only for a finding (a SotW push at scale carries 10 000).
        string At(int index) => $"resources[{index}]";
        for (var index = 0; index < items.Count; index++)
        {
            var item = items[index];
            if (item.Body is null)
                continue; // delta: a name without a body carries no content (e.g. a TTL heartbeat)
            if (item.Body.TypeUrl != typeUrl)
            {
                errors.Add(new ResourceRejection(item.Name ?? At(index), "@type", $"is {item.Body.TypeUrl} in a {typeUrl} response"));
                continue;
            }
            var (message, hash, held, failure) = bodies[index];
            if (failure is not null)
            {
                var reason = IsTooDeep(failure)
                    ? $"nested deeper than {ParseLimits.MaxMessageDepth} message levels, the limit for xDS resources (docs/limits.md)"
                    : failure.Message;
                errors.Add(new ResourceRejection(item.Name ?? At(index), "", $"does not parse as {typeUrl}: {reason}"));
                continue;
            }
            var name = ResourceRef.Of(message!)?.Name ?? "";
            if (name.Length == 0)
                errors.Add(new ResourceRejection(XdsTypes.Reference(typeUrl, At(index)), "name", "a resource needs a name"));
            else if (item.Name is not null && item.Name != name)
                errors.Add(new ResourceRejection(XdsTypes.Reference(typeUrl, name), "name", $"the envelope names it '{item.Name}'"));
            else if (!seen.Add(name))
                errors.Add(new ResourceRejection(XdsTypes.Reference(typeUrl, name), "name", "named twice in one response"));
            else
                result.Add(new XdsResource(name, message!, item.Version) { BodyHash = hash, Unchanged = held });
        }
        return result;
    }

    /// <summary>One body, parsed (or taken from an accepted SotW body with the same bytes), or why it does not parse.</summary>
    private readonly record struct Parsed(IMessage? Message, UInt128? Hash, bool Held, InvalidProtocolBufferException? Failure);

    /// <summary>
    /// Parses the bodies of a response's items (those of the response's type); a large response
    /// on every CPU. Parsing one body reads nothing shared, and at a 10 000-service start the
    /// three responses' parse and check are what the node waits for before it is ready.
    /// </summary>
    private static Parsed[] ParseAll(MessageParser parser, string typeUrl, IReadOnlyList<Wire> items, SotwBodies? sotw)
    {
        var parsed = new Parsed[items.Count];
        void ParseOne(int i)
        {
            var body = items[i].Body;
            if (body is null || body.TypeUrl != typeUrl)
                return;
            UInt128? hash = sotw is null ? null : SotwBodies.Hash(body.Value);
            if (hash is { } h && sotw!.Find(typeUrl, h) is { } held)
            {
                parsed[i] = new Parsed(held, hash, true, null);
                return;
            }
            try
            {
                parsed[i] = new Parsed(Parse(parser, body.Value), hash, false, null);
            }
            catch (InvalidProtocolBufferException e)
            {
                parsed[i] = new Parsed(null, hash, false, e);
            }
        }
        Concurrently.For(items.Count, ParseOne);
        return parsed;
    }

    /// <summary>Parses one resource with Kmesh's recursion limit rather than protobuf's default of 100.</summary>
    /// <remarks>
    /// Read from the received bytes in place first, with protobuf's own limit of 100 levels: no
    /// stream, no reader and no 4 KiB read buffer per resource (at a 10 000-service start those
    /// were 120 MB of garbage, most of the collections before ready). Only a resource nested
    /// deeper than that — none real — is read again with <see cref="ParseLimits.MaxMessageDepth"/>.
    /// </remarks>
    private static IMessage Parse(MessageParser parser, ByteString bytes)
    {
        try
        {
            return parser.ParseFrom(bytes.Span);
        }
        catch (InvalidProtocolBufferException e) when (IsTooDeep(e))
        {
            var stream = MemoryMarshal.TryGetArray(bytes.Memory, out var segment)
                ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
                : new MemoryStream(bytes.ToByteArray(), writable: false);
            using var input = CodedInputStream.CreateWithLimits(stream, (int)ParseLimits.MaxDocumentBytes, ParseLimits.MaxMessageDepth);
            return parser.ParseFrom(input);
        }
    }

    private static bool IsTooDeep(InvalidProtocolBufferException e) =>
        e.Message.Contains("too many levels of nesting", StringComparison.Ordinal);
}
