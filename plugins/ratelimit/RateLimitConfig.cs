using System.Runtime.InteropServices;

namespace Kmesh.Plugins.RateLimit;

/// <summary><c>struct rl_config</c> (ratelimit.h): the token bucket of one service.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct RateLimitConfig
{
    /// <summary>Bucket size, and its content when it starts.</summary>
    public uint MaxTokens;
    /// <summary>Tokens added per fill interval, up to <see cref="MaxTokens"/>.</summary>
    public uint TokensPerFill;
    /// <summary>The fill interval in nanoseconds.</summary>
    public ulong FillIntervalNs;
}
