using Envoy.Config.Listener.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using NetworkLocalRateLimit = Envoy.Extensions.Filters.Network.LocalRatelimit.V3.LocalRateLimit;
using HttpLocalRateLimit = Envoy.Extensions.Filters.Http.LocalRatelimit.V3.LocalRateLimit;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.RateLimit;

/// <summary>
/// A listener's network <c>local_ratelimit</c> filter becomes its service's token bucket
/// over new connections. The HTTP <c>local_ratelimit</c> counts requests, which needs L7:
/// it is reported, not applied.
/// </summary>
public sealed class RateLimitTranslator : ITranslator
{
    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
        // Declared even when empty, so that limits removed from the config are removed from the kernel.
        var config = output.Map<uint, RateLimitConfig>(RateLimitMaps.Config);
        foreach (var listener in snapshot.Listeners)
        {
            if (ServiceFilterChains.ConnectTimeChain(listener) is not { } picked)
                continue;
            var bucket = BucketOf(picked.Chain, $"listener {listener.Name}", picked.Field, output);
            if (bucket is not null)
                config.Set(snapshot.Ids.ServiceId(listener.Name), bucket.Value);
        }
    }

    private static RateLimitConfig? BucketOf(FilterChain chain, string resource, string chainField, TranslationOutput output)
    {
        RateLimitConfig? bucket = null;
        var seen = false;
        for (var i = 0; i < chain.Filters.Count; i++)
        {
            var typed = chain.Filters[i].TypedConfig;
            var field = $"{chainField}.filters[{i}].typed_config";
            if (typed?.Is(HttpConnectionManager.Descriptor) == true)
                ReportHttpLimits(typed.Unpack<HttpConnectionManager>(), resource, field, output);
            if (typed?.Is(NetworkLocalRateLimit.Descriptor) != true)
                continue;
            if (seen)
            {
                output.Warn(resource, field, "a second local_ratelimit filter; only the first is applied");
                continue;
            }
            seen = true;
            var limit = typed.Unpack<NetworkLocalRateLimit>();
            if (limit.RuntimeEnabled is { DefaultValue: false })
            {
                output.Info(resource, field + ".runtime_enabled", "disabled by default and runtime overrides are Envoy's own: not applied");
                continue;
            }
            bucket = TokenBuckets.Convert(limit.TokenBucket, resource, field + ".token_bucket", output);
        }
        return bucket;
    }

    private static void ReportHttpLimits(HttpConnectionManager hcm, string resource, string field, TranslationOutput output)
    {
        for (var i = 0; i < hcm.HttpFilters.Count; i++)
        {
            if (hcm.HttpFilters[i].TypedConfig?.Is(HttpLocalRateLimit.Descriptor) == true)
                output.Warn(resource, $"{field}.http_filters[{i}]", "the HTTP local_ratelimit limits requests, which needs L7: not applied (a network local_ratelimit limits connections)");
        }
    }
}
