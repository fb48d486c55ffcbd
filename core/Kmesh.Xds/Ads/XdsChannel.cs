using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;

namespace Kmesh.Xds.Ads;

/// <summary>Opens the gRPC channel to the control plane: plain HTTP/2, or TLS against a CA bundle (how Istiod's 15012 is reached).</summary>
internal static class XdsChannel
{
    public static GrpcChannel Create(XdsClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            // A control plane that vanished without a FIN (node died, network cut) is noticed by pings.
            KeepAlivePingDelay = TimeSpan.FromSeconds(20),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        var scheme = "http";
        if (options.CaFile is not null)
        {
            scheme = "https";
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(options.CaFile);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                // The chain is judged against the bundle below; the name must still match the address dialed.
                if (certificate is null || (errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }
        return GrpcChannel.ForAddress($"{scheme}://{options.Address}", new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = 64 * 1024 * 1024, // a large mesh's CDS response is big
        });
    }

    /// <summary>The call's headers: the bearer token, read now so that a rotated token is used at reconnect.</summary>
    public static Metadata Headers(XdsClientOptions options)
    {
        var headers = new Metadata();
        if (options.TokenFile is not null)
            headers.Add("authorization", "Bearer " + File.ReadAllText(options.TokenFile).Trim());
        return headers;
    }
}
