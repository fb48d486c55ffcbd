namespace Kmesh.Xds.Ads;

/// <summary>How a response was answered: ACK, or NACK with the error_detail message.</summary>
internal sealed record AdsOutcome(bool Accepted, string? ErrorDetail)
{
    public static AdsOutcome Ack { get; } = new(true, null);
}
