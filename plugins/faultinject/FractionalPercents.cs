using Envoy.Type.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.FaultInject;

/// <summary>Envoy's <c>FractionalPercent</c> as parts per million, which every denominator converts to exactly.</summary>
internal static class FractionalPercents
{
    /// <summary>The share in parts per million, or null (with an error naming the field) when it is not a valid share.</summary>
    public static uint? ToPerMillion(FractionalPercent percent, ResourceRef resource, string field, TranslationOutput output)
    {
        uint scale = percent.Denominator switch
        {
            FractionalPercent.Types.DenominatorType.Hundred => 10_000,
            FractionalPercent.Types.DenominatorType.TenThousand => 100,
            FractionalPercent.Types.DenominatorType.Million => 1,
            _ => 0,
        };
        if (scale == 0)
        {
            output.Error(resource, field + ".denominator", $"unknown denominator {(int)percent.Denominator}; expected HUNDRED, TEN_THOUSAND or MILLION");
            return null;
        }
        // Envoy would clamp to 100%; a share above the whole is a mistake worth saying out loud.
        if (percent.Numerator > FaultInjectMaps.Million / scale)
        {
            output.Error(resource, field + ".numerator", $"{percent.Numerator}/{percent.Denominator} is more than 100%");
            return null;
        }
        return percent.Numerator * scale;
    }
}
