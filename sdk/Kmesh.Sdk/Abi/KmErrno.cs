namespace Kmesh.Sdk.Abi;

/// <summary>
/// The <c>KM_ERRNO_*</c> of <c>kmesh/chain.h</c>: the errno <c>connect()</c> fails with for
/// each denying <see cref="KmReason"/>, so that applications can tell the reasons apart.
/// Linux numbering; see docs/architecture.md ("Errnos") for why each was chosen.
/// </summary>
public static class KmErrno
{
    /// <summary>EHOSTUNREACH: the service has no usable endpoint (<see cref="KmReason.NoEndpoint"/>).</summary>
    public const int NoEndpoint = 113;

    /// <summary>ECONNREFUSED: <c>--fail-closed</c> and the chain chose no endpoint (<see cref="KmReason.Unfinished"/>).</summary>
    public const int FailClosed = 111;

    /// <summary>ECONNREFUSED: an injected abort (<see cref="KmReason.Fault"/>), indistinguishable from an upstream refusing, on purpose.</summary>
    public const int Fault = 111;

    /// <summary>ENOBUFS: a connection rate limit (<see cref="KmReason.RateLimited"/>); no resources for now.</summary>
    public const int RateLimited = 105;

    /// <summary>EBUSY: an open circuit breaker (<see cref="KmReason.CircuitOpen"/>); fail fast.</summary>
    public const int CircuitOpen = 16;
}
