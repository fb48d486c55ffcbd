using System.Text;
using Envoy.Extensions.Common.Ratelimit.V3;

namespace Kmesh.Plugins.RateLimit.L7;

/// <summary>
/// A descriptor as one string: its entries in order, each key and value split by U+0001 and ended
/// by a NUL (control characters that neither keys nor header values carry). Envoy matches a request's descriptor to a configured one
/// by equal entries in the same order; equal strings say the same, in one dictionary lookup.
/// </summary>
internal static class DescriptorKey
{
    public static string Entry(string key, string value) => $"{key}\u0001{value}\0";

    public static void Append(StringBuilder descriptor, string entry) => descriptor.Append(entry);

    public static string Of(LocalRateLimitDescriptor descriptor) =>
        string.Concat(descriptor.Entries.Select(e => Entry(e.Key, e.Value)));
}
