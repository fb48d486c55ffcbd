using System.Globalization;

namespace Kmesh.Ctl.Output;

/// <summary>Durations as people read them: <c>3d 4h 12m</c>, <c>12.5s</c>, <c>840ms</c>.</summary>
internal static class Durations
{
    public static string Format(TimeSpan span)
    {
        if (span.TotalDays >= 1)
            return $"{(int)span.TotalDays}d {span.Hours}h {span.Minutes}m";
        if (span.TotalHours >= 1)
            return $"{span.Hours}h {span.Minutes}m {span.Seconds}s";
        if (span.TotalMinutes >= 1)
            return $"{span.Minutes}m {span.Seconds}s";
        if (span.TotalSeconds >= 1)
            return span.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture) + "s";
        return span.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms";
    }
}
