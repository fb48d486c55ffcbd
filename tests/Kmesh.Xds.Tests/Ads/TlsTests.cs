using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kmesh.Envoy.Api;
using Kmesh.Xds.Ads;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>TLS against a CA bundle plus a bearer token, the way Istiod's port 15012 is reached.</summary>
public sealed class TlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    [Fact]
    public async Task ServerCertificateFromTheBundle_IsTrusted_AndTheTokenIsSent()
    {
        using var certificate = SelfSigned("istiod");
        var ca = Path.Combine(_dir, "ca.pem");
        var token = Path.Combine(_dir, "token");
        await File.WriteAllTextAsync(ca, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(token, "secret-token\n");

        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw, certificate: certificate, caFile: ca, tokenFile: token);
        var request = await ads.Server.NextAsync();

        Assert.Equal(EnvoyTypes.Cluster, request.TypeUrl);
        Assert.Equal("Bearer secret-token", Assert.Single(ads.Server.Authorizations));
    }

    [Fact]
    public async Task ServerCertificateNotInTheBundle_IsRefused()
    {
        using var served = SelfSigned("impostor");
        using var trusted = SelfSigned("istiod");
        var ca = Path.Combine(_dir, "ca.pem");
        await File.WriteAllTextAsync(ca, trusted.ExportCertificatePem());

        await using var ads = await AdsHarness.StartAsync(XdsMode.Sotw, certificate: served, caFile: ca);

        Assert.True(await ads.Server.QuietAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal(0, ads.Server.Streams);
    }
}
