namespace Kmesh.Ctl.Admin;

/// <summary>Where the daemon's admin API listens: <c>host:port</c> or a full http URL.</summary>
internal static class AdminAddress
{
    public const string Default = "127.0.0.1:15200";

    /// <summary>The base URL for <paramref name="text"/>, or null with the reason it is not an address.</summary>
    public static Uri? TryParse(string text, out string? error)
    {
        error = null;
        var candidate = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            error = $"'{text}' is not an admin address (host:port or http://host:port)";
            return null;
        }
        if (uri.Scheme is not ("http" or "https"))
        {
            error = $"'{text}': the admin API speaks http, not {uri.Scheme}";
            return null;
        }
        // A bare host would silently mean port 80; the admin API has no well-known port but ours.
        if (!text.Contains("://", StringComparison.Ordinal) && uri.IsDefaultPort)
        {
            error = $"'{text}' has no port (e.g. {Default})";
            return null;
        }
        return new Uri(uri.GetLeftPart(UriPartial.Authority) + "/");
    }
}
