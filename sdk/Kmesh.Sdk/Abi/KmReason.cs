namespace Kmesh.Sdk.Abi;

/// <summary><c>enum km_reason</c>: why the chain decided what it did; counted per reason.</summary>
public enum KmReason : uint
{
    /// <summary>No decision recorded.</summary>
    None = 0,
    /// <summary>The destination is not a service VIP: passed through untouched.</summary>
    NoService = 1,
    /// <summary>Rewritten to an endpoint.</summary>
    Routed = 2,
    /// <summary>The service has no usable endpoint (connect fails with EHOSTUNREACH).</summary>
    NoEndpoint = 3,
    /// <summary>A service matched but the chain chose no endpoint (a plugin is missing).</summary>
    Unfinished = 4,
    /// <summary>Refused by fault injection.</summary>
    Fault = 5,
    /// <summary>Refused by a connection rate limit.</summary>
    RateLimited = 6,
    /// <summary>Refused by an open circuit breaker.</summary>
    CircuitOpen = 7,
    /// <summary>Refused by another plugin's policy.</summary>
    Policy = 8,
    /// <summary>The per-CPU context belonged to another socket; the connect was left alone.</summary>
    StaleContext = 9,
}
