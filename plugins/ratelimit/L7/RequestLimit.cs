using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Plugins.RateLimit.L7;

/// <summary>
/// One level's limit as requests meet it: its settings, its bucket (shared by every request the
/// level covers) and its descriptors' buckets. Over the limit, and enforced, the request is answered as Envoy answers it: the
/// status (429 unless set), <c>x-envoy-ratelimited: true</c>, the body <c>local_rate_limited</c>;
/// a gRPC request gets a trailers-only UNAVAILABLE (RESOURCE_EXHAUSTED if so configured).
/// </summary>
/// <param name="descriptors">The config's descriptors for this route, null when it has none.</param>
internal sealed class RequestLimit(LimitSettings settings, RequestTokenBucket? bucket, DescriptorLimits? descriptors = null)
{
    public static readonly RequestLimit None = new(new LimitSettings(null, 0, 0, 429, [], [], false, false), null);

    /// <returns>False when the request was answered (limited and enforced).</returns>
    public async ValueTask<bool> ApplyAsync(HttpContext context)
    {
        if (bucket is null || !Draw(settings.EnabledPerMillion))
            return true;
        var (matched, taken, described) = descriptors?.TryTake(context) ?? (false, true, null);
        if (taken && (!matched || descriptors!.AlwaysConsumeDefault))
            taken = bucket.TryTake().Taken;
        if (settings.RateLimitHeaders)
        {
            // Envoy describes the first matched descriptor's bucket, the default one otherwise.
            var shown = described ?? bucket;
            var (remaining, untilFill) = shown.Peek();
            AddRateLimitHeaders(context.Response, shown.MaxTokens, remaining, untilFill);
        }
        if (taken)
            return true;
        if (!Draw(settings.EnforcedPerMillion))
        {
            HeaderOptions.Apply(context.Request.Headers, settings.RequestHeadersWhenNotEnforced);
            return true;
        }
        await AnswerAsync(context);
        return false;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var response = context.Response;
        HeaderOptions.Apply(response.Headers, settings.ResponseHeaders);
        response.Headers["x-envoy-ratelimited"] = "true";
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            // Envoy's local replies to gRPC calls are trailers-only, with the status mapped from the HTTP one.
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = settings.GrpcResourceExhausted ? "8" : "14";
            response.Headers["grpc-message"] = "local_rate_limited";
            return;
        }
        response.StatusCode = settings.Status;
        response.ContentType = "text/plain";
        await response.WriteAsync("local_rate_limited", context.RequestAborted);
    }

    // Set when the response starts, so a proxied answer carries them as well as a refusal.
    private static void AddRateLimitHeaders(HttpResponse response, uint limit, uint remaining, TimeSpan untilFill)
    {
        var reset = (long)Math.Ceiling(untilFill.TotalSeconds);
        response.OnStarting(() =>
        {
            response.Headers["x-ratelimit-limit"] = limit.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-ratelimit-reset"] = reset.ToString(CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
    }

    private static bool Draw(uint perMillion) => perMillion >= 1_000_000 || (perMillion > 0 && (uint)Random.Shared.Next(1_000_000) < perMillion);
}
