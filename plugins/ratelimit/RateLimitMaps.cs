namespace Kmesh.Plugins.RateLimit;

/// <summary>Names of the rate-limit object's maps (ratelimit.h).</summary>
internal static class RateLimitMaps
{
    /// <summary>The desired buckets; the runtime ones (<c>rl_buckets</c>) belong to the kernel alone.</summary>
    public const string Config = "rl_config";
}
