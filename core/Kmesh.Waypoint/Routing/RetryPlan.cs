using Envoy.Config.Route.V3;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// A route's <c>retry_policy</c>: which outcomes are retried, how many times, and each try's time
/// limit. Retries happen only before any of the response reached the client.
/// </summary>
internal sealed record RetryPlan(RetryConditions On, int NumRetries, TimeSpan? PerTryTimeout, IReadOnlySet<int> RetriableStatusCodes)
{
    public static readonly RetryPlan None = new(RetryConditions.None, 0, null, new HashSet<int>());

    public static RetryPlan From(RetryPolicy? policy, string field)
    {
        if (policy is null)
            return None;
        var on = RetryConditions.None;
        foreach (var raw in policy.RetryOn.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            on |= raw switch
            {
                "5xx" => RetryConditions.ServerError,
                "gateway-error" => RetryConditions.GatewayError,
                "connect-failure" => RetryConditions.ConnectFailure,
                "reset" or "reset-before-request" => RetryConditions.Reset,
                "retriable-status-codes" => RetryConditions.StatusCodes,
                "refused-stream" => RetryConditions.Reset,
                // Istio always asks for some of these: the grpc-status of a trailers-only answer.
                "cancelled" => RetryConditions.GrpcCancelled,
                "deadline-exceeded" => RetryConditions.GrpcDeadlineExceeded,
                "internal" => RetryConditions.GrpcInternal,
                "resource-exhausted" => RetryConditions.GrpcResourceExhausted,
                "unavailable" => RetryConditions.GrpcUnavailable,
                "retriable-4xx" => RetryConditions.Conflict,
                _ => throw new UnsupportedRouteException($"{field}.retry_on", $"retry condition '{raw}' is not supported"),
            };
        }
        // Envoy: num_retries defaults to 1 once a retry policy is given.
        var retries = (int)(policy.NumRetries ?? 1);
        var perTry = policy.PerTryTimeout is { } d && d.ToTimeSpan() > TimeSpan.Zero ? d.ToTimeSpan() : (TimeSpan?)null;
        return new RetryPlan(on, retries, perTry, policy.RetriableStatusCodes.Select(c => (int)c).ToHashSet());
    }

    /// <summary>Whether an answer is retried: by its status, or by the grpc-status of a trailers-only gRPC answer.</summary>
    public bool Retries(HttpResponseMessage response) =>
        RetriesStatus((int)response.StatusCode)
        || (On & RetryConditions.Grpc) != 0
            && response.Headers.TryGetValues("grpc-status", out var values)
            && int.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var grpc)
            && RetriesGrpcStatus(grpc);

    /// <summary>Whether a gRPC status is retried (Envoy's gRPC retry_on names: 1, 4, 13, 8, 14).</summary>
    public bool RetriesGrpcStatus(int code) => code switch
    {
        1 => On.HasFlag(RetryConditions.GrpcCancelled),
        4 => On.HasFlag(RetryConditions.GrpcDeadlineExceeded),
        8 => On.HasFlag(RetryConditions.GrpcResourceExhausted),
        13 => On.HasFlag(RetryConditions.GrpcInternal),
        14 => On.HasFlag(RetryConditions.GrpcUnavailable),
        _ => false,
    };

    /// <summary>Whether a response with <paramref name="status"/> is retried.</summary>
    public bool RetriesStatus(int status) =>
        (On.HasFlag(RetryConditions.ServerError) && status >= 500)
        || (On.HasFlag(RetryConditions.GatewayError) && status is 502 or 503 or 504)
        || (On.HasFlag(RetryConditions.Conflict) && status == 409)
        || (On.HasFlag(RetryConditions.StatusCodes) && RetriableStatusCodes.Contains(status));

    /// <summary>Whether a failure to connect is retried (5xx and gateway-error include it, as in Envoy).</summary>
    public bool RetriesConnectFailure => (On & (RetryConditions.ServerError | RetryConditions.GatewayError | RetryConditions.ConnectFailure | RetryConditions.Reset)) != 0;

    /// <summary>Whether a reset before the response headers, or a try that timed out, is retried.</summary>
    public bool RetriesReset => (On & (RetryConditions.ServerError | RetryConditions.GatewayError | RetryConditions.Reset)) != 0;
}

/// <summary>The <c>retry_on</c> conditions the waypoint honours.</summary>
[Flags]
internal enum RetryConditions
{
    None = 0,
    ServerError = 1,
    GatewayError = 2,
    ConnectFailure = 4,
    Reset = 8,
    StatusCodes = 16,
    Conflict = 32,
    GrpcCancelled = 64,
    GrpcDeadlineExceeded = 128,
    GrpcInternal = 256,
    GrpcResourceExhausted = 512,
    GrpcUnavailable = 1024,
    Grpc = GrpcCancelled | GrpcDeadlineExceeded | GrpcInternal | GrpcResourceExhausted | GrpcUnavailable,
}
