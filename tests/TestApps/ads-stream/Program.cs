using System.Globalization;
using Envoy.Config.Core.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Kmesh.Envoy.Api;

// kmesh-ads-stream --target http://HOST:PORT --out DIR --responses N [--timeout SECONDS]
//
// One ADS stream (gRPC bidi over HTTP/2 cleartext): asks for every cluster, and ACKs each response
// until N arrived. Each response is saved as received to DIR/response-<i>.pb for the test to compare
// with what the server was given, and announced on stdout as "response <i> version=<v>
// resources=<n> bytes=<size>", so that the test can change the served files between responses.
// Exit status 0 when N responses arrived, 1 otherwise (the reason on stderr).

string? target = null, outDir = null;
int responses = 1, timeoutSeconds = 60;
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--target": target = Value(); break;
        case "--out": outDir = Value(); break;
        case "--responses": responses = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        case "--timeout": timeoutSeconds = int.Parse(Value(), CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"kmesh-ads-stream: unknown argument {args[i]}");
            return 2;
    }
}
if (target is null || outDir is null || responses < 1)
{
    Console.Error.WriteLine("usage: kmesh-ads-stream --target http://HOST:PORT --out DIR --responses N [--timeout SECONDS]");
    return 2;
}

Directory.CreateDirectory(outDir);
using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
// One connection, as the test counts it: no pooling across channels, and plain HTTP/2 (h2c).
using var channel = GrpcChannel.ForAddress(target, new GrpcChannelOptions
{
    MaxReceiveMessageSize = null,
    // .NET's default socket: dual-mode IPv6, so an IPv4 VIP is dialed as ::ffff:a.b.c.d (the
    // mesh must route it, and accelerate it, like an IPv4 socket's connect).
    HttpHandler = new SocketsHttpHandler(),
});
var client = new AggregatedDiscoveryService.AggregatedDiscoveryServiceClient(channel);
var node = new Node { Id = "kmesh-ads-stream", Cluster = "tests" };
try
{
    using var call = client.StreamAggregatedResources(cancellationToken: timeout.Token);
    await call.RequestStream.WriteAsync(new DiscoveryRequest { Node = node, TypeUrl = EnvoyTypes.Cluster });
    var received = 0;
    await foreach (var response in call.ResponseStream.ReadAllAsync(timeout.Token))
    {
        received++;
        var bytes = response.ToByteArray();
        await File.WriteAllBytesAsync(Path.Combine(outDir, $"response-{received}.pb"), bytes, timeout.Token);
        Console.WriteLine($"response {received} version={response.VersionInfo} resources={response.Resources.Count} bytes={bytes.Length}");
        // ACK: the same type with the version and nonce just received.
        await call.RequestStream.WriteAsync(new DiscoveryRequest
        {
            TypeUrl = response.TypeUrl,
            VersionInfo = response.VersionInfo,
            ResponseNonce = response.Nonce,
        });
        if (received == responses)
        {
            await call.RequestStream.CompleteAsync();
            return 0;
        }
    }
    Console.Error.WriteLine($"kmesh-ads-stream: the server ended the stream after {received} of {responses} responses");
    return 1;
}
catch (Exception e) when (e is RpcException or OperationCanceledException or IOException)
{
    Console.Error.WriteLine($"kmesh-ads-stream: {e.GetType().Name}: {e.Message}");
    return 1;
}
