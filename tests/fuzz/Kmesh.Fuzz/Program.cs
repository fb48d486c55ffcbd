using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Kmesh.Xds;
using Kmesh.Xds.Ads;
using Kmesh.Xds.Sources;
using SharpFuzz;

// kmesh-fuzz config|xds: one afl++ target per input path. An input may be refused with the
// errors these paths promise (ConfigParseException, IOException, a NACK's rejections); any other
// exception, a hang or a crash is a finding and becomes a regression test.
var target = args.Length > 0 ? args[0] : "config";
if (target == "seeds")
{
    WriteSeeds(args[1]);
    return;
}
Action<Stream> run = target switch
{
    "config" => Config,
    "xds" => Xds,
    _ => throw new ArgumentException($"unknown target {target}: config or xds"),
};
if (args.Length > 1)
{
    // Replays one input (a crash afl++ found) without afl++, to see the exception.
    using var file = File.OpenRead(args[1]);
    run(file);
    return;
}
Fuzzer.OutOfProcess.Run(run);

static void Config(Stream input)
{
    using var reader = new StreamReader(input);
    var text = reader.ReadToEnd();
    try
    {
        EnvoyConfigFile.Parse("fuzz.yaml", text);
    }
    catch (ConfigParseException)
    {
    }
    try
    {
        EnvoyConfigFile.Inventory("fuzz.yaml", text);
    }
    catch (ConfigParseException)
    {
    }
}

static void Xds(Stream input)
{
    DiscoveryResponse response;
    try
    {
        // What gRPC hands the client: a DiscoveryResponse decoded from the wire.
        response = DiscoveryResponse.Parser.ParseFrom(input);
    }
    catch (InvalidProtocolBufferException)
    {
        return;
    }
    var errors = new List<ResourceRejection>();
    var wire = response.Resources.Select(a => new XdsDecoder.Wire(null, a, response.VersionInfo));
    XdsDecoder.Decode(response.TypeUrl, wire, errors);
}

// Seeds for the xds target: small valid responses of each type the client reads.
static void WriteSeeds(string dir)
{
    var cluster = new Envoy.Config.Cluster.V3.Cluster { Name = "c", Type = Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.Static };
    cluster.Metadata = new() { FilterMetadata = { ["x"] = new Google.Protobuf.WellKnownTypes.Struct { Fields = { ["a"] = Google.Protobuf.WellKnownTypes.Value.ForString("b") } } } };
    var cla = new Envoy.Config.Endpoint.V3.ClusterLoadAssignment { ClusterName = "c" };
    var listener = new Envoy.Config.Listener.V3.Listener { Name = "l" };
    var routes = new Envoy.Config.Route.V3.RouteConfiguration { Name = "r" };
    IMessage[] messages = [cluster, cla, listener, routes];
    foreach (var message in messages)
    {
        var any = Google.Protobuf.WellKnownTypes.Any.Pack(message);
        var response = new DiscoveryResponse { TypeUrl = any.TypeUrl, VersionInfo = "1", Nonce = "n", Resources = { any } };
        File.WriteAllBytes(Path.Combine(dir, message.Descriptor.Name + ".bin"), response.ToByteArray());
    }
}
