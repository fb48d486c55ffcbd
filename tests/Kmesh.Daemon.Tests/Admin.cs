using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>Plain HTTP to a daemon's admin API (its address read from the daemon's log).</summary>
internal static class Admin
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<(int Status, string Body)> GetAsync(DaemonProcess daemon, string path)
    {
        using var response = await Http.GetAsync(new Uri(await daemon.AdminUrlAsync(), path));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<(int Status, string Body)> PostAsync(DaemonProcess daemon, string path)
    {
        using var response = await Http.PostAsync(new Uri(await daemon.AdminUrlAsync(), path), null);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
