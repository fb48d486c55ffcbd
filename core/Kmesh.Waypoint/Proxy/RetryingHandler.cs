namespace Kmesh.Waypoint.Proxy;

/// <summary>
/// Sends a proxied request, and again to another endpoint when the route's <c>retry_policy</c>
/// says so: a retriable status, a failed connect, a reset before the response headers, or a try
/// that outlived its <c>per_try_timeout</c>. Between tries it waits Envoy's fully jittered
/// exponential back-off (25 ms base, 250 ms cap). A request whose body was kept — read ahead
/// (<see cref="RequestBodyBuffer"/>) or copied as it streamed (<see cref="BodyCapture"/>) — is
/// retried like one without; a body too large to keep only after a failed connect, since it was
/// not read then.
/// </summary>
internal sealed class RetryingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    /// <summary>Envoy's header for the try's number (1 for the first), upstream and, if asked, to the client.</summary>
    public const string AttemptCountHeader = "x-envoy-attempt-count";

    private static readonly TimeSpan BackoffBase = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan BackoffCap = TimeSpan.FromMilliseconds(250);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(AttemptPlan.Key, out var plan))
            return await base.SendAsync(request, cancellationToken);
        var bodyless = request.Content is null || request.Content.Headers.ContentLength == 0;
        // Judged when an answer is: a streamed body may have been kept by then (BodyCapture).
        bool CanSendAgain() => bodyless || plan.Body is not null;
        for (var attempt = 0; ; attempt++)
        {
            var retriesLeft = attempt < plan.Retry.NumRetries;
            plan.Attempts = attempt + 1;
            if (plan.CountAttempts)
            {
                request.Headers.Remove(AttemptCountHeader);
                request.Headers.TryAddWithoutValidation(AttemptCountHeader, plan.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            plan.LastTryTimedOut = false;
            if (attempt > 0)
            {
                request.RequestUri = new Uri(plan.Endpoint.Prefix + plan.PathAndQuery);
                // The first try's content streamed the body once; later tries send the kept copy.
                if (plan.Body is { } body)
                    request.Content = Replayable(body, request.Content);
            }
            // Only a per-try timeout needs a token of its own; most routes have none, and requests are many.
            using var perTry = plan.Retry.PerTryTimeout is { } limit ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : null;
            perTry?.CancelAfter(plan.Retry.PerTryTimeout!.Value);
            plan.Endpoint.Started();
            try
            {
                var response = await base.SendAsync(request, perTry?.Token ?? cancellationToken);
                if (retriesLeft && CanSendAgain() && plan.Retry.Retries(response))
                {
                    response.Dispose();
                    await NextTryAsync(plan, attempt, cancellationToken);
                    continue;
                }
                return response;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && perTry?.IsCancellationRequested == true)
            {
                plan.LastTryTimedOut = true;
                if (!(retriesLeft && CanSendAgain() && plan.Retry.RetriesReset))
                    throw new TimeoutException($"upstream {plan.Endpoint} did not answer within the per-try timeout");
            }
            catch (HttpRequestException e) when (retriesLeft && Retriable(e, plan, CanSendAgain()))
            {
            }
            finally
            {
                plan.Endpoint.Finished();
            }
            await NextTryAsync(plan, attempt, cancellationToken);
        }
    }

    /// <summary>The kept body as new content, with the content headers of the first try.</summary>
    private static ByteArrayContent Replayable(byte[] body, HttpContent? first)
    {
        var content = new ByteArrayContent(body);
        if (first is not null)
        {
            foreach (var header in first.Headers)
                content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        return content;
    }

    private static bool Retriable(HttpRequestException e, AttemptPlan plan, bool replayable) =>
        e.HttpRequestError == HttpRequestError.ConnectionError
            ? plan.Retry.RetriesConnectFailure
            : replayable && plan.Retry.RetriesReset;

    private static async Task NextTryAsync(AttemptPlan plan, int attempt, CancellationToken cancellationToken)
    {
        var ceiling = Math.Min(BackoffCap.TotalMilliseconds, BackoffBase.TotalMilliseconds * ((1 << Math.Min(attempt + 1, 10)) - 1));
        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling), cancellationToken);
        plan.Endpoint = plan.Cluster.Picker.Pick() ?? plan.Endpoint;
    }
}
