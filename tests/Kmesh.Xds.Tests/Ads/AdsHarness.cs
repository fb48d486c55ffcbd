using Kmesh.Xds.Ads;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>The ADS client (the real <see cref="AdsConfigSource"/>) connected to a scripted server, with a recording sink.</summary>
internal sealed class AdsHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _run = Task.CompletedTask;

    public ScriptedAdsServer Server { get; } = new();
    public RecordingSink Sink { get; } = new();

    /// <summary>What the source says of the stream and the versions in force (the daemon's /status reads it).</summary>
    public XdsStatus Status { get; private set; } = new();

    public static async Task<AdsHarness> StartAsync(XdsMode mode, TimeSpan? resourceTimeout = null,
        System.Security.Cryptography.X509Certificates.X509Certificate2? certificate = null, string? caFile = null, string? tokenFile = null,
        bool holdFirstFetch = false)
    {
        var harness = new AdsHarness();
        await harness.Server.StartAsync(certificate);
        var source = new AdsConfigSource(new XdsClientOptions
        {
            CaFile = caFile,
            TokenFile = tokenFile,
            Address = $"127.0.0.1:{harness.Server.Port}",
            Mode = mode,
            Namespace = "shop",
            Labels = new Dictionary<string, string> { ["app"] = "kmesh" },
            ResourceTimeout = resourceTimeout ?? TimeSpan.FromSeconds(30),
            InitialBackoff = TimeSpan.FromMilliseconds(50),
            MaxBackoff = TimeSpan.FromMilliseconds(200),
            // The protocol tests script each answer of the first fetch; FirstFetchTests hold it, as the daemon does.
            HoldFirstFetch = holdFirstFetch,
        }, NullLogger.Instance);
        harness.Status = source.Status;
        harness._run = source.RunAsync(harness.Sink, harness._stop.Token);
        return harness;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run.WaitAsync(TimeSpan.FromSeconds(10));
        await Server.DisposeAsync();
    }
}
