using System.Globalization;
using System.Numerics;

namespace Kmesh.Xds.Validation;

/// <summary>
/// The numeric rules of protoc-gen-validate (const, lt, lte, gt, gte, in, not_in), the same for
/// every width; the messages are PGV's, including its wording for ranges (inside when the lower
/// bound is below the upper one, outside otherwise).
/// </summary>
internal static class NumberRule
{
    public static void Check<T>(T value, T? constant, T? lt, T? lte, T? gt, T? gte, IReadOnlyCollection<T> @in, IReadOnlyCollection<T> notIn,
        bool ignoreEmpty, PathNode path, List<Violation> violations, Func<T, string>? format = null)
        where T : struct, INumber<T>
    {
        if (ignoreEmpty && T.IsZero(value))
            return;
        format ??= v => Convert.ToString(v, CultureInfo.InvariantCulture)!;
        if (constant is { } c && value != c)
            violations.Add(new Violation(path.Text, $"value must equal {format(c)}"));
        if (@in.Count > 0 && !@in.Contains(value))
            violations.Add(new Violation(path.Text, $"value must be in list [{string.Join(", ", @in.Select(format))}]"));
        if (notIn.Count > 0 && notIn.Contains(value))
            violations.Add(new Violation(path.Text, $"value must not be in list [{string.Join(", ", notIn.Select(format))}]"));
        var reason = Range(value, lt, lte, gt, gte, format);
        if (reason is not null)
            violations.Add(new Violation(path.Text, reason));
    }

    /// <summary>PGV's lt/lte/gt/gte check and message, or null when the value is within bounds.</summary>
    public static string? Range<T>(T value, T? lt, T? lte, T? gt, T? gte, Func<T, string> format) where T : struct, IComparisonOperators<T, T, bool>
    {
        var hasUpper = lt is not null || lte is not null;
        var hasLower = gt is not null || gte is not null;
        if (hasUpper && hasLower)
        {
            var upper = lt ?? lte!.Value;
            var lower = gt ?? gte!.Value;
            var belowUpper = lt is not null ? value < upper : value <= upper;
            var aboveLower = gt is not null ? value > lower : value >= lower;
            var open = gt is not null ? "(" : "[";
            var close = lt is not null ? ")" : "]";
            if (upper > lower)
                return belowUpper && aboveLower ? null : $"value must be inside range {open}{format(lower)}, {format(upper)}{close}";
            // Upper at or below lower: PGV reads it as an exclusion of the range between them.
            return belowUpper || aboveLower ? null
                : $"value must be outside range {(lt is not null ? "[" : "(")}{format(upper)}, {format(lower)}{(gt is not null ? "]" : ")")}";
        }
        if (lt is { } l && !(value < l))
            return $"value must be less than {format(l)}";
        if (lte is { } le && !(value <= le))
            return $"value must be less than or equal to {format(le)}";
        if (gt is { } g && !(value > g))
            return $"value must be greater than {format(g)}";
        if (gte is { } ge && !(value >= ge))
            return $"value must be greater than or equal to {format(ge)}";
        return null;
    }
}
