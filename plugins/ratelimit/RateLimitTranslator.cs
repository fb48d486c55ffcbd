using System.Globalization;
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
/// the kernel reports it and leaves it to the plugin's L7 part in the waypoint (<c>L7/</c>).
/// </summary>
public sealed class RateLimitTranslator : IIncrementalTranslator
{
    /// <summary>
    /// Reads only listeners, never endpoints: an endpoint change leaves its maps as they are. Any
    /// other change is translated in full.
    /// </summary>
    public bool TranslateChanges(MeshSnapshot snapshot, MeshChanges changes, TranslationDelta delta) => changes.OnlyEndpoints;

    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
        // Declared even when empty, so that limits removed from the config are removed from the kernel.
        var config = output.Map<uint, RateLimitConfig>(RateLimitMaps.Config);
        // The connect programs act only on services with a bucket: the chain skips them elsewhere.
        var work = output.ConnectWork();
        foreach (var listener in snapshot.Listeners)
        {
            if (ServiceFilterChains.ConnectTimeChain(listener) is not { } picked)
                continue;
            var resource = ResourceRef.Listener(listener.Name);
            if (BucketOf(picked.Chain, resource, picked.Field, output) is not { } found)
                continue;
            var (bucket, field) = found;
            config.Set(snapshot.Ids.ServiceId(listener.Name), bucket);
            work.Add(snapshot.Ids.ServiceId(listener.Name));
            output.Applied(resource, field, AppliedKind.Policy, Describe(bucket));
        }
    }

    private static (RateLimitConfig Bucket, string Field)? BucketOf(FilterChain chain, ResourceRef resource, string chainField, TranslationOutput output)
    {
        (RateLimitConfig, string)? bucket = null;
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
            if (TokenBuckets.Convert(limit.TokenBucket, resource, field + ".token_bucket", output) is { } converted)
                bucket = (converted, field + ".token_bucket");
        }
        return bucket;
    }

    private static string Describe(RateLimitConfig bucket) => string.Create(CultureInfo.InvariantCulture,
        $"connection rate limit: a bucket of {bucket.MaxTokens} tokens, {bucket.TokensPerFill} added every {bucket.FillIntervalNs / 1e9:0.###} s; a connect without a token fails with ENOBUFS");

    private static void ReportHttpLimits(HttpConnectionManager hcm, ResourceRef resource, string field, TranslationOutput output)
    {
        for (var i = 0; i < hcm.HttpFilters.Count; i++)
        {
            if (hcm.HttpFilters[i].TypedConfig?.Is(HttpLocalRateLimit.Descriptor) == true)
                output.Warn(resource, $"{field}.http_filters[{i}]", "the HTTP local_ratelimit limits requests, which needs L7: not applied in the kernel (a network local_ratelimit limits connections); applied per request by the waypoint when the service is steered there (kmesh run --waypoint)");
        }
    }
}
