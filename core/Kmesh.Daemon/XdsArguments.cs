using Kmesh.Xds.Ads;

namespace Kmesh.Daemon;

/// <summary>The <c>--xds*</c> and <c>--node-id</c> flags as they are parsed.</summary>
internal sealed class XdsArguments
{
    private readonly Dictionary<string, string> _labels = new(StringComparer.Ordinal);

    public string? Address { get; set; }
    public XdsMode Mode { get; set; } = XdsMode.Sotw;
    public string? CaFile { get; set; }
    public string? TokenFile { get; set; }
    public string? NodeId { get; set; }
    public string? Namespace { get; set; }
    public string? ClusterId { get; set; }
    public TimeSpan? ResourceTimeout { get; set; }

    /// <summary>Checks that exactly one source was given, <paramref name="configPath"/> or <c>--xds</c>, and the <c>--xds-*</c> flags only with the latter.</summary>
    public void RequireOneSource(string? configPath)
    {
        if ((configPath is null) == (Address is null))
            throw new UsageException("exactly one of --config FILE and --xds HOST:PORT is required");
        if (Address is null && AnyOtherSet)
            throw new UsageException("--xds-* and --node-id flags need --xds HOST:PORT");
    }

    /// <summary>True when a flag that only makes sense with <c>--xds</c> was given.</summary>
    public bool AnyOtherSet => CaFile is not null || TokenFile is not null || NodeId is not null || Namespace is not null
        || ClusterId is not null || ResourceTimeout is not null || _labels.Count > 0 || Mode != XdsMode.Sotw;

    /// <summary>
    /// Takes <paramref name="flag"/> when it is one of the <c>--xds*</c> / <c>--node-id</c>
    /// flags (reading its value with <paramref name="value"/>); false for any other flag.
    /// </summary>
    public bool TryTake(string flag, Func<string> value)
    {
        switch (flag)
        {
            case "--xds": Address = value(); break;
            case "--xds-mode": Mode = ParseMode(value()); break;
            case "--xds-ca": CaFile = Path.GetFullPath(value()); break;
            case "--xds-token": TokenFile = Path.GetFullPath(value()); break;
            case "--node-id": NodeId = value(); break;
            case "--xds-namespace": Namespace = value(); break;
            case "--xds-cluster-id": ClusterId = value(); break;
            case "--xds-label": AddLabel(value()); break;
            case "--xds-resource-timeout": ResourceTimeout = ParseSeconds(value()); break;
            default: return false;
        }
        return true;
    }

    private static XdsMode ParseMode(string text) => text switch
    {
        "sotw" => XdsMode.Sotw,
        "delta" => XdsMode.Delta,
        _ => throw new UsageException($"--xds-mode {text}: expected sotw or delta"),
    };

    private static TimeSpan ParseSeconds(string text) =>
        double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : throw new UsageException($"--xds-resource-timeout {text}: expected seconds > 0");

    public void AddLabel(string text)
    {
        var parts = text.Split('=', 2);
        if (parts.Length != 2 || parts[0].Length == 0)
            throw new UsageException($"--xds-label {text}: expected KEY=VALUE");
        _labels[parts[0]] = parts[1];
    }

    /// <summary>The client options, or null without <c>--xds</c>.</summary>
    public XdsClientOptions? Build()
    {
        if (Address is null)
            return null;
        if (!Uri.TryCreate($"http://{Address}", UriKind.Absolute, out var uri) || !System.Text.RegularExpressions.Regex.IsMatch(Address, @":\d{1,5}$") || uri.PathAndQuery != "/" || Address.Contains("://", StringComparison.Ordinal))
            throw new UsageException($"--xds {Address}: expected HOST:PORT");
        foreach (var file in new[] { CaFile, TokenFile })
            if (file is not null && !File.Exists(file))
                throw new UsageException($"{file}: no such file");
        var defaults = new XdsClientOptions { Address = Address };
        return defaults with
        {
            Mode = Mode,
            CaFile = CaFile,
            TokenFile = TokenFile,
            NodeId = NodeId,
            Namespace = Namespace ?? defaults.Namespace,
            ClusterId = ClusterId ?? defaults.ClusterId,
            Labels = _labels,
            ResourceTimeout = ResourceTimeout ?? defaults.ResourceTimeout,
        };
    }
}
