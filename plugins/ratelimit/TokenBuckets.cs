using Envoy.Type.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.RateLimit;

/// <summary>Envoy's <c>TokenBucket</c> checked and converted to <see cref="RateLimitConfig"/>.</summary>
internal static class TokenBuckets
{
    // Envoy's local rate limit filters refuse a shorter interval; so do we, for the same reason
    // (a bucket that refills that often is no limit worth the name).
    private static readonly TimeSpan MinFillInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>The bucket, or null with an error naming the field when it is not valid.</summary>
    public static RateLimitConfig? Convert(TokenBucket? bucket, ResourceRef resource, string field, TranslationOutput output)
    {
        if (bucket is null)
        {
            output.Error(resource, field, "token_bucket is required");
            return null;
        }
        if (bucket.MaxTokens == 0)
        {
            output.Error(resource, field + ".max_tokens", "must be at least 1");
            return null;
        }
        var perFill = bucket.TokensPerFill ?? 1u;
        if (perFill == 0)
        {
            output.Error(resource, field + ".tokens_per_fill", "must be at least 1");
            return null;
        }
        if (bucket.FillInterval is null)
        {
            output.Error(resource, field + ".fill_interval", "is required");
            return null;
        }
        var interval = bucket.FillInterval.ToTimeSpan();
        if (interval < MinFillInterval)
        {
            output.Error(resource, field + ".fill_interval", $"{interval.TotalMilliseconds} ms; it must be at least {MinFillInterval.TotalMilliseconds} ms");
            return null;
        }
        return new RateLimitConfig
        {
            MaxTokens = bucket.MaxTokens,
            TokensPerFill = perFill,
            FillIntervalNs = (ulong)bucket.FillInterval.Seconds * 1_000_000_000UL + (ulong)bucket.FillInterval.Nanos,
        };
    }
}
