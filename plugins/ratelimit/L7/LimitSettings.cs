using Envoy.Config.Core.V3;
using Envoy.Extensions.Common.Ratelimit.V3;
using Envoy.Type.V3;
using HttpLocalRateLimit = Envoy.Extensions.Filters.Http.LocalRatelimit.V3.LocalRateLimit;

namespace Kmesh.Plugins.RateLimit.L7;

/// <summary>The bucket's shape: <c>token_bucket</c> checked as Envoy checks it.</summary>
internal sealed record BucketShape(uint MaxTokens, uint TokensPerFill, TimeSpan FillInterval);

/// <summary>
/// One HTTP <c>local_ratelimit</c> config as a request meets it. Envoy's defaults hold: a filter
/// without <c>filter_enabled</c> or <c>filter_enforced</c> limits nothing (0% "for safety"), a
/// <c>status</c> below 400 is 429, <c>tokens_per_fill</c> defaults to 1. Runtime keys are Envoy's
/// own; their <c>default_value</c> is what applies.
/// </summary>
internal sealed record LimitSettings(
    BucketShape? Bucket,
    uint EnabledPerMillion,
    uint EnforcedPerMillion,
    int Status,
    HeaderValueOption[] ResponseHeaders,
    HeaderValueOption[] RequestHeadersWhenNotEnforced,
    bool RateLimitHeaders,
    bool GrpcResourceExhausted)
{
    // Envoy's local rate limit refuses a shorter interval.
    public static readonly TimeSpan MinFillInterval = TimeSpan.FromMilliseconds(50);

    public static LimitSettings From(HttpLocalRateLimit config) => new(
        Shape(config.TokenBucket),
        PerMillion(config.FilterEnabled),
        PerMillion(config.FilterEnforced),
        config.Status is { Code: var code } && (int)code >= 400 ? (int)code : 429,
        [.. config.ResponseHeadersToAdd],
        [.. config.RequestHeadersToAddWhenNotEnforced],
        config.EnableXRatelimitHeaders == XRateLimitHeadersRFCVersion.DraftVersion03,
        config.RateLimitedAsResourceExhausted);

    /// <summary>The bucket, or null when there is none or it is not valid (<see cref="Problem"/> says why).</summary>
    public static BucketShape? Shape(TokenBucket? bucket) =>
        bucket is not null && Problem(bucket) is null
            ? new BucketShape(bucket.MaxTokens, bucket.TokensPerFill ?? 1u, bucket.FillInterval.ToTimeSpan())
            : null;

    /// <summary>What makes a token bucket invalid, as (field, reason), or null when it is valid.</summary>
    public static (string Field, string Reason)? Problem(TokenBucket bucket)
    {
        if (bucket.MaxTokens == 0)
            return ("max_tokens", "must be at least 1");
        if (bucket.TokensPerFill == 0)
            return ("tokens_per_fill", "must be at least 1");
        if (bucket.FillInterval is null)
            return ("fill_interval", "is required");
        if (bucket.FillInterval.ToTimeSpan() < MinFillInterval)
            return ("fill_interval", $"must be at least {MinFillInterval.TotalMilliseconds} ms");
        return null;
    }

    private static uint PerMillion(RuntimeFractionalPercent? percent)
    {
        if (percent?.DefaultValue is not { } share)
            return 0;
        var scale = share.Denominator switch
        {
            FractionalPercent.Types.DenominatorType.Hundred => 10_000u,
            FractionalPercent.Types.DenominatorType.TenThousand => 100u,
            _ => 1u,
        };
        return (uint)Math.Min(1_000_000UL, (ulong)share.Numerator * scale);
    }
}
