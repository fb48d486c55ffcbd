using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Validate;

namespace Kmesh.Xds.Validation;

/// <summary>protoc-gen-validate's Duration and Timestamp rules, compared exactly (seconds and nanoseconds as a decimal).</summary>
internal static class TimeRules
{
    public static void Duration(Duration? value, DurationRules rules, PathNode path, List<Violation> violations)
    {
        if (value is null)
        {
            if (rules.Required)
                violations.Add(new Violation(path.Text, "value is required"));
            return;
        }
        if (value.Nanos is <= -1_000_000_000 or >= 1_000_000_000 || (value.Seconds > 0 && value.Nanos < 0) || (value.Seconds < 0 && value.Nanos > 0)
            || value.Seconds is < Google.Protobuf.WellKnownTypes.Duration.MinSeconds or > Google.Protobuf.WellKnownTypes.Duration.MaxSeconds)
        {
            violations.Add(new Violation(path.Text, "value is not a valid duration"));
            return;
        }
        var v = Seconds(value);
        static string Format(decimal d) => d.ToString("0.#########", CultureInfo.InvariantCulture) + "s";
        if (rules.Const is { } c && v != Seconds(c))
            violations.Add(new Violation(path.Text, $"value must equal {Format(Seconds(c))}"));
        if (rules.In.Count > 0 && !rules.In.Select(Seconds).Contains(v))
            violations.Add(new Violation(path.Text, $"value must be in list [{string.Join(", ", rules.In.Select(d => Format(Seconds(d))))}]"));
        if (rules.NotIn.Count > 0 && rules.NotIn.Select(Seconds).Contains(v))
            violations.Add(new Violation(path.Text, $"value must not be in list [{string.Join(", ", rules.NotIn.Select(d => Format(Seconds(d))))}]"));
        var reason = NumberRule.Range(v, Optional(rules.Lt), Optional(rules.Lte), Optional(rules.Gt), Optional(rules.Gte), Format);
        if (reason is not null)
            violations.Add(new Violation(path.Text, reason));
    }

    public static void Timestamp(Timestamp? value, TimestampRules rules, PathNode path, List<Violation> violations)
    {
        if (value is null)
        {
            if (rules.Required)
                violations.Add(new Violation(path.Text, "value is required"));
            return;
        }
        var v = value.Seconds + (value.Nanos / 1_000_000_000m);
        static string Format(decimal d) => d.ToString("0.#########", CultureInfo.InvariantCulture) + "s since the epoch";
        decimal? Stamp(Timestamp? t) => t is null ? null : t.Seconds + (t.Nanos / 1_000_000_000m);
        if (rules.Const is { } c && v != Stamp(c))
            violations.Add(new Violation(path.Text, $"value must equal {Format(Stamp(c)!.Value)}"));
        var reason = NumberRule.Range(v, Stamp(rules.Lt), Stamp(rules.Lte), Stamp(rules.Gt), Stamp(rules.Gte), Format);
        if (reason is not null)
            violations.Add(new Violation(path.Text, reason));
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000m;
        if (rules.LtNow && !(v < now))
            violations.Add(new Violation(path.Text, "value must be less than now"));
        if (rules.GtNow && !(v > now))
            violations.Add(new Violation(path.Text, "value must be greater than now"));
        if (rules.Within is { } within && Math.Abs(v - now) > Seconds(within))
            violations.Add(new Violation(path.Text, $"value must be within {Seconds(within).ToString(CultureInfo.InvariantCulture)}s of now"));
    }

    private static decimal Seconds(Duration d) => d.Seconds + (d.Nanos / 1_000_000_000m);

    private static decimal? Optional(Duration? d) => d is null ? null : Seconds(d);
}
