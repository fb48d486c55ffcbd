using System.Globalization;
using System.Text;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// <c>%START_TIME(FORMAT)%</c>: Envoy's strftime-like format, in UTC, with its extensions for
/// fractions of a second (<c>%3f</c> milliseconds, <c>%E3S</c> seconds with three decimals,
/// <c>%f</c> nanoseconds) and <c>%s</c> for seconds since the epoch. Parsed once into pieces;
/// .NET keeps 100 ns ticks, so digits past the seventh are zeros.
/// </summary>
internal sealed class StartTimeFormat
{
    /// <summary>Envoy's default: ISO 8601 in UTC with milliseconds.</summary>
    public static readonly StartTimeFormat Default = Parse("%Y-%m-%dT%H:%M:%E3SZ")!;

    private readonly Func<DateTimeOffset, string>[] _pieces;

    private StartTimeFormat(Func<DateTimeOffset, string>[] pieces) => _pieces = pieces;

    public static bool TryParse(string format, out StartTimeFormat result)
    {
        result = Parse(format)!;
        return result is not null;
    }

    public string Format(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        var text = new StringBuilder(32);
        foreach (var piece in _pieces)
            text.Append(piece(utc));
        return text.ToString();
    }

    private static StartTimeFormat? Parse(string format)
    {
        var pieces = new List<Func<DateTimeOffset, string>>();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                var literal = format[i].ToString();
                pieces.Add(_ => literal);
                continue;
            }
            if (++i == format.Length)
                return null;
            var c = format[i];
            if (c is >= '1' and <= '9' && i + 1 < format.Length && format[i + 1] == 'f')
            {
                var digits = c - '0';
                pieces.Add(t => Fraction(t, digits));
                i++;
                continue;
            }
            if (c == 'E' && i + 2 < format.Length && format[i + 1] is >= '1' and <= '9' && format[i + 2] == 'S')
            {
                var digits = format[i + 1] - '0';
                pieces.Add(t => $"{Two(t.Second)}.{Fraction(t, digits)}");
                i += 2;
                continue;
            }
            Func<DateTimeOffset, string>? piece = c switch
            {
                'Y' => t => t.Year.ToString("D4", CultureInfo.InvariantCulture),
                'y' => t => Two(t.Year % 100),
                'm' => t => Two(t.Month),
                'd' => t => Two(t.Day),
                'e' => t => t.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2),
                'H' => t => Two(t.Hour),
                'I' => t => Two(t.Hour % 12 == 0 ? 12 : t.Hour % 12),
                'M' => t => Two(t.Minute),
                'S' => t => Two(t.Second),
                'p' => t => t.Hour < 12 ? "AM" : "PM",
                'j' => t => t.DayOfYear.ToString("D3", CultureInfo.InvariantCulture),
                'a' => t => t.ToString("ddd", CultureInfo.InvariantCulture),
                'A' => t => t.ToString("dddd", CultureInfo.InvariantCulture),
                'b' or 'h' => t => t.ToString("MMM", CultureInfo.InvariantCulture),
                'B' => t => t.ToString("MMMM", CultureInfo.InvariantCulture),
                'F' => t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                'T' => t => t.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                'Z' => _ => "UTC",
                'z' => _ => "+0000",
                's' => t => t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                'f' => t => Fraction(t, 9),
                '%' => _ => "%",
                _ => null,
            };
            if (piece is null)
                return null;
            pieces.Add(piece);
        }
        return new StartTimeFormat([.. pieces]);
    }

    private static string Two(int value) => value.ToString("D2", CultureInfo.InvariantCulture);

    /// <summary>The first <paramref name="digits"/> digits of the fraction of the second.</summary>
    private static string Fraction(DateTimeOffset time, int digits)
    {
        var ticks = (time.Ticks % TimeSpan.TicksPerSecond).ToString("D7", CultureInfo.InvariantCulture) + "00";
        return ticks[..digits];
    }
}
