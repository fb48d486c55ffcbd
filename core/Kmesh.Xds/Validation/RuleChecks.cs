using System.Collections;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Validate;

namespace Kmesh.Xds.Validation;

/// <summary>
/// Evaluates one field's <c>FieldRules</c> on one value (a scalar, an enum, a wrapper's content,
/// a message, a Duration, a Timestamp or an Any), and the list and map rules. Messages follow
/// protoc-gen-validate's, so they read like Envoy's own rejections.
/// </summary>
internal static class RuleChecks
{
    public static void Value(object? value, FieldDescriptor field, FieldRules rules, PathNode path, List<Violation> violations)
    {
        if (rules.Message?.Required == true && value is null)
        {
            violations.Add(new Violation(path.Text, "value is required"));
            return;
        }
        if (value is null && rules.TypeCase is not (FieldRules.TypeOneofCase.Duration or FieldRules.TypeOneofCase.Timestamp or FieldRules.TypeOneofCase.Any))
            return; // an unset wrapper or message: scalar rules apply to its content only when there is one
        switch (rules.TypeCase)
        {
            case FieldRules.TypeOneofCase.Uint32:
                var u32 = rules.Uint32;
                NumberRule.Check(Convert.ToUInt32(value, CultureInfo.InvariantCulture), u32.HasConst ? u32.Const : null, u32.HasLt ? u32.Lt : null, u32.HasLte ? u32.Lte : null,
                    u32.HasGt ? u32.Gt : null, u32.HasGte ? u32.Gte : null, u32.In, u32.NotIn, false, path, violations);
                break;
            case FieldRules.TypeOneofCase.Fixed32:
                var f32 = rules.Fixed32;
                NumberRule.Check(Convert.ToUInt32(value, CultureInfo.InvariantCulture), f32.HasConst ? f32.Const : null, f32.HasLt ? f32.Lt : null, f32.HasLte ? f32.Lte : null,
                    f32.HasGt ? f32.Gt : null, f32.HasGte ? f32.Gte : null, f32.In, f32.NotIn, false, path, violations);
                break;
            case FieldRules.TypeOneofCase.Uint64:
                var u64 = rules.Uint64;
                NumberRule.Check(Convert.ToUInt64(value, CultureInfo.InvariantCulture), u64.HasConst ? u64.Const : null, u64.HasLt ? u64.Lt : null, u64.HasLte ? u64.Lte : null,
                    u64.HasGt ? u64.Gt : null, u64.HasGte ? u64.Gte : null, u64.In, u64.NotIn, false, path, violations);
                break;
            case FieldRules.TypeOneofCase.Fixed64:
                var f64 = rules.Fixed64;
                NumberRule.Check(Convert.ToUInt64(value, CultureInfo.InvariantCulture), f64.HasConst ? f64.Const : null, f64.HasLt ? f64.Lt : null, f64.HasLte ? f64.Lte : null,
                    f64.HasGt ? f64.Gt : null, f64.HasGte ? f64.Gte : null, f64.In, f64.NotIn, false, path, violations);
                break;
            case FieldRules.TypeOneofCase.Int32:
                var i32 = rules.Int32;
                NumberRule.Check(Convert.ToInt32(value, CultureInfo.InvariantCulture), i32.HasConst ? i32.Const : null, i32.HasLt ? i32.Lt : null, i32.HasLte ? i32.Lte : null,
                    i32.HasGt ? i32.Gt : null, i32.HasGte ? i32.Gte : null, i32.In, i32.NotIn, false, path, violations);
                break;
            case FieldRules.TypeOneofCase.Sint32:
                var s32 = rules.Sint32;
                NumberRule.Check(Convert.ToInt32(value, CultureInfo.InvariantCulture), s32.HasConst ? s32.Const : null, s32.HasLt ? s32.Lt : null, s32.HasLte ? s32.Lte : null,
                    s32.HasGt ? s32.Gt : null, s32.HasGte ? s32.Gte : null, s32.In, s32.NotIn, false, path, violations);
                break;
            case FieldRules.TypeOneofCase.Sfixed32:
                var sf32 = rules.Sfixed32;
                NumberRule.Check(Convert.ToInt32(value, CultureInfo.InvariantCulture), sf32.HasConst ? sf32.Const : null, sf32.HasLt ? sf32.Lt : null, sf32.HasLte ? sf32.Lte : null,
                    sf32.HasGt ? sf32.Gt : null, sf32.HasGte ? sf32.Gte : null, sf32.In, sf32.NotIn, false, path, violations);
                break;
            case FieldRules.TypeOneofCase.Int64:
                var i64 = rules.Int64;
                NumberRule.Check(Convert.ToInt64(value, CultureInfo.InvariantCulture), i64.HasConst ? i64.Const : null, i64.HasLt ? i64.Lt : null, i64.HasLte ? i64.Lte : null,
                    i64.HasGt ? i64.Gt : null, i64.HasGte ? i64.Gte : null, i64.In, i64.NotIn, false, path, violations);
                break;
            case FieldRules.TypeOneofCase.Sint64:
                var s64 = rules.Sint64;
                NumberRule.Check(Convert.ToInt64(value, CultureInfo.InvariantCulture), s64.HasConst ? s64.Const : null, s64.HasLt ? s64.Lt : null, s64.HasLte ? s64.Lte : null,
                    s64.HasGt ? s64.Gt : null, s64.HasGte ? s64.Gte : null, s64.In, s64.NotIn, false, path, violations);
                break;
            case FieldRules.TypeOneofCase.Sfixed64:
                var sf64 = rules.Sfixed64;
                NumberRule.Check(Convert.ToInt64(value, CultureInfo.InvariantCulture), sf64.HasConst ? sf64.Const : null, sf64.HasLt ? sf64.Lt : null, sf64.HasLte ? sf64.Lte : null,
                    sf64.HasGt ? sf64.Gt : null, sf64.HasGte ? sf64.Gte : null, sf64.In, sf64.NotIn, false, path, violations);
                break;
            case FieldRules.TypeOneofCase.Double:
                var d = rules.Double;
                NumberRule.Check(Convert.ToDouble(value, CultureInfo.InvariantCulture), d.HasConst ? d.Const : null, d.HasLt ? d.Lt : null, d.HasLte ? d.Lte : null,
                    d.HasGt ? d.Gt : null, d.HasGte ? d.Gte : null, d.In, d.NotIn, false, path, violations);
                break;
            case FieldRules.TypeOneofCase.Float:
                var f = rules.Float;
                NumberRule.Check(Convert.ToSingle(value, CultureInfo.InvariantCulture), f.HasConst ? f.Const : null, f.HasLt ? f.Lt : null, f.HasLte ? f.Lte : null,
                    f.HasGt ? f.Gt : null, f.HasGte ? f.Gte : null, f.In, f.NotIn, false, path, violations);
                break;
            case FieldRules.TypeOneofCase.Bool:
                if (rules.Bool.HasConst && (bool)value! != rules.Bool.Const)
                    violations.Add(new Violation(path.Text, $"value must equal {(rules.Bool.Const ? "true" : "false")}"));
                break;
            case FieldRules.TypeOneofCase.String:
                StringRulesCheck.Check((string)value!, rules.String, path, violations);
                break;
            case FieldRules.TypeOneofCase.Bytes:
                StringRulesCheck.Check((ByteString)value!, rules.Bytes, path, violations);
                break;
            case FieldRules.TypeOneofCase.Enum:
                Enum(Convert.ToInt32(value, CultureInfo.InvariantCulture), field.EnumType, rules.Enum, path, violations);
                break;
            case FieldRules.TypeOneofCase.Duration:
                TimeRules.Duration(value as Duration, rules.Duration, path, violations);
                break;
            case FieldRules.TypeOneofCase.Timestamp:
                TimeRules.Timestamp(value as Timestamp, rules.Timestamp, path, violations);
                break;
            case FieldRules.TypeOneofCase.Any:
                AnyRule(value as Any, rules.Any, path, violations);
                break;
        }
    }

    public static void Repeated(IList list, RepeatedRules rules, PathNode path, List<Violation> violations)
    {
        if (rules.IgnoreEmpty && list.Count == 0)
            return;
        if (rules.HasMinItems && (ulong)list.Count < rules.MinItems)
            violations.Add(new Violation(path.Text, $"value must contain at least {rules.MinItems} item(s)"));
        if (rules.HasMaxItems && (ulong)list.Count > rules.MaxItems)
            violations.Add(new Violation(path.Text, $"value must contain no more than {rules.MaxItems} item(s)"));
        if (rules.Unique)
        {
            var seen = new HashSet<object>();
            foreach (var item in list)
            {
                if (item is not null && !seen.Add(item))
                {
                    violations.Add(new Violation(path.Text, "repeated value must contain unique items"));
                    break;
                }
            }
        }
    }

    public static void Map(IDictionary map, MapRules rules, PathNode path, List<Violation> violations)
    {
        if (rules.IgnoreEmpty && map.Count == 0)
            return;
        if (rules.HasMinPairs && (ulong)map.Count < rules.MinPairs)
            violations.Add(new Violation(path.Text, $"value must contain at least {rules.MinPairs} pair(s)"));
        if (rules.HasMaxPairs && (ulong)map.Count > rules.MaxPairs)
            violations.Add(new Violation(path.Text, $"value must contain no more than {rules.MaxPairs} pair(s)"));
    }

    private static void Enum(int number, EnumDescriptor type, EnumRules rules, PathNode path, List<Violation> violations)
    {
        if (rules.HasConst && number != rules.Const)
            violations.Add(new Violation(path.Text, $"value must equal {rules.Const}"));
        if (rules.DefinedOnly && type.FindValueByNumber(number) is null)
            violations.Add(new Violation(path.Text, "value must be one of the defined enum values"));
        if (rules.In.Count > 0 && !rules.In.Contains(number))
            violations.Add(new Violation(path.Text, $"value must be in list [{string.Join(", ", rules.In)}]"));
        if (rules.NotIn.Count > 0 && rules.NotIn.Contains(number))
            violations.Add(new Violation(path.Text, $"value must not be in list [{string.Join(", ", rules.NotIn)}]"));
    }

    private static void AnyRule(Any? value, AnyRules rules, PathNode path, List<Violation> violations)
    {
        if (value is null)
        {
            if (rules.Required)
                violations.Add(new Violation(path.Text, "value is required"));
            return;
        }
        if (rules.In.Count > 0 && !rules.In.Contains(value.TypeUrl))
            violations.Add(new Violation(path.Text, $"type URL must be in list [{string.Join(", ", rules.In)}]"));
        if (rules.NotIn.Count > 0 && rules.NotIn.Contains(value.TypeUrl))
            violations.Add(new Violation(path.Text, $"type URL must not be in list [{string.Join(", ", rules.NotIn)}]"));
    }
}
