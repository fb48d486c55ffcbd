namespace Kmesh.Xds.Ads;

/// <summary>How the ADS client reaches its control plane and who it says it is.</summary>
public sealed record XdsClientOptions
{
    /// <summary>The server as <c>HOST:PORT</c> (IPv6 hosts in brackets).</summary>
    public required string Address { get; init; }

    /// <summary>SotW or delta.</summary>
    public XdsMode Mode { get; init; } = XdsMode.Sotw;

    /// <summary>PEM CA bundle: when set, the stream uses TLS and the server's certificate must chain to it.</summary>
    public string? CaFile { get; init; }

    /// <summary>A file holding a bearer token sent as <c>authorization</c> (re-read at every connect, as tokens rotate).</summary>
    public string? TokenFile { get; init; }

    /// <summary>The node id; null builds Istio's form from the host (see <see cref="XdsNodeIdentity"/>).</summary>
    public string? NodeId { get; init; }

    /// <summary>The node's namespace (Istio metadata NAMESPACE and part of the default node id).</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>Istio metadata CLUSTER_ID: which cluster's registry the node belongs to.</summary>
    public string ClusterId { get; init; } = "Kubernetes";

    /// <summary>Istio metadata LABELS.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>How long a requested resource may take to arrive before it is treated as absent (Envoy's initial_fetch_timeout).</summary>
    public TimeSpan ResourceTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// True (the default): the responses of the first fetch are answered once it is complete, and the
    /// daemon is offered it once, whole, instead of once per response (see <see cref="AdsEngine"/>).
    /// </summary>
    public bool HoldFirstFetch { get; init; } = true;

    /// <summary>The first reconnect delay; doubled at each failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest reconnect delay.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
}
