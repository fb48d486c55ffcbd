using Google.Protobuf.WellKnownTypes;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.CircuitBreaker;

/// <summary>Envoy's <c>Duration</c> fields checked and turned into the kernel's nanoseconds.</summary>
internal static class Durations
{
    // Far beyond any sensible ejection, and far from overflowing bpf_ktime_get_ns() + duration.
    private const ulong MaxNs = 1UL << 62;

    /// <summary>
    /// The duration in nanoseconds; <paramref name="fallback"/> when unset. Null, with an error naming
    /// the field, when it is negative, malformed, too long, or zero where zero is not allowed.
    /// </summary>
    public static ulong? Nanoseconds(Duration? duration, ulong fallback, bool zeroAllowed, string field, ResourceRef resource, TranslationOutput output)
    {
        if (duration is null)
            return fallback;
        if (duration.Nanos is <= -1_000_000_000 or >= 1_000_000_000 || (duration.Seconds > 0 && duration.Nanos < 0) || (duration.Seconds < 0 && duration.Nanos > 0))
        {
            output.Error(resource, field, $"{duration.Seconds}s {duration.Nanos}ns is not a valid duration");
            return null;
        }
        if (duration.Seconds < 0 || duration.Nanos < 0)
        {
            output.Error(resource, field, "must not be negative");
            return null;
        }
        if ((ulong)duration.Seconds >= MaxNs / 1_000_000_000UL)
        {
            output.Error(resource, field, $"{duration.Seconds}s is too long to be a time the kernel counts");
            return null;
        }
        var ns = (ulong)duration.Seconds * 1_000_000_000UL + (ulong)duration.Nanos;
        if (ns == 0 && !zeroAllowed)
        {
            output.Error(resource, field, "must be greater than 0");
            return null;
        }
        return ns;
    }
}
