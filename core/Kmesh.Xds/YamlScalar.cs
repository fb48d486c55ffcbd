using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>What a YAML scalar means under the YAML 1.2 core schema.</summary>
internal enum ScalarKind { String, Null, Bool, Integer, Float }

/// <summary>
/// Reads YAML scalars the way Envoy's loader does: quoted scalars are always strings, plain
/// ones may be null, booleans or numbers (YAML 1.2 core schema, so <c>yes</c>/<c>on</c> stay strings).
/// </summary>
internal static partial class YamlScalar
{
    private const string StrTag = "tag:yaml.org,2002:str";

    public static ScalarKind Classify(YamlScalarNode node)
    {
        if (node.Style != ScalarStyle.Plain && node.Style != ScalarStyle.Any)
            return ScalarKind.String;
        if (!node.Tag.IsEmpty)
            return node.Tag.Value == StrTag ? ScalarKind.String : ClassifyText(node.Value ?? "");
        return ClassifyText(node.Value ?? "");
    }

    public static ScalarKind ClassifyText(string text) => text switch
    {
        "" or "~" or "null" or "Null" or "NULL" => ScalarKind.Null,
        "true" or "True" or "TRUE" or "false" or "False" or "FALSE" => ScalarKind.Bool,
        _ when DecimalInt().IsMatch(text) || HexInt().IsMatch(text) || OctalInt().IsMatch(text) => ScalarKind.Integer,
        _ when FloatNumber().IsMatch(text) || Special().IsMatch(text) => ScalarKind.Float,
        _ => ScalarKind.String,
    };

    public static bool AsBool(string text) => text is "true" or "True" or "TRUE";

    /// <summary>The integer as JSON text (decimal, no sign noise, no leading zeros).</summary>
    public static string IntegerJson(string text)
    {
        var negative = text.StartsWith('-');
        var body = text.TrimStart('+', '-');
        BigInteger value = body.StartsWith("0x", StringComparison.Ordinal)
            ? BigInteger.Parse("0" + body[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : body.StartsWith("0o", StringComparison.Ordinal)
                ? body[2..].Aggregate(BigInteger.Zero, (acc, c) => acc * 8 + (c - '0'))
                : BigInteger.Parse(body, CultureInfo.InvariantCulture);
        return (negative ? -value : value).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The float as a JSON token: a number, or the strings protobuf JSON uses for the values
    /// JSON has no number for.
    /// </summary>
    public static (bool IsString, string Text) FloatJson(string text)
    {
        var lower = text.ToLowerInvariant();
        if (lower is ".nan") return (true, "NaN");
        if (lower is ".inf" or "+.inf") return (true, "Infinity");
        if (lower is "-.inf") return (true, "-Infinity");
        var value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return (false, value.ToString("R", CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex DecimalInt();

    [GeneratedRegex("^0x[0-9a-fA-F]+$")]
    private static partial Regex HexInt();

    [GeneratedRegex("^0o[0-7]+$")]
    private static partial Regex OctalInt();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatNumber();

    [GeneratedRegex(@"^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex Special();
}
