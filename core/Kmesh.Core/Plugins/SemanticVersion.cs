using System.Globalization;

namespace Kmesh.Core.Plugins;

/// <summary>A semantic version (major.minor.patch[-pre]); build metadata is ignored, as SemVer says.</summary>
public readonly record struct SemanticVersion(int Major, int Minor, int Patch, string Prerelease) : IComparable<SemanticVersion>
{
    /// <summary>Parses <c>1.2.3</c>, <c>1.2.3-rc.1</c>, <c>1.2.3+build</c>.</summary>
    public static bool TryParse(string text, out SemanticVersion version)
    {
        version = default;
        var core = text.Split('+', 2)[0];
        var dash = core.IndexOf('-', StringComparison.Ordinal);
        var prerelease = dash < 0 ? "" : core[(dash + 1)..];
        var numbers = (dash < 0 ? core : core[..dash]).Split('.');
        if (numbers.Length != 3 || !numbers.All(n => n.Length > 0 && n.All(char.IsAsciiDigit)))
            return false;
        version = new SemanticVersion(int.Parse(numbers[0], CultureInfo.InvariantCulture), int.Parse(numbers[1], CultureInfo.InvariantCulture),
            int.Parse(numbers[2], CultureInfo.InvariantCulture), prerelease);
        return true;
    }

    /// <inheritdoc />
    public int CompareTo(SemanticVersion other)
    {
        var result = Major.CompareTo(other.Major);
        if (result == 0) result = Minor.CompareTo(other.Minor);
        if (result == 0) result = Patch.CompareTo(other.Patch);
        if (result != 0)
            return result;
        // A pre-release sorts before its release.
        if (Prerelease.Length == 0 || other.Prerelease.Length == 0)
            return (Prerelease.Length == 0 ? 1 : 0) - (other.Prerelease.Length == 0 ? 1 : 0);
        return string.CompareOrdinal(Prerelease, other.Prerelease);
    }

    /// <summary>Orders versions.</summary>
    public static bool operator <(SemanticVersion a, SemanticVersion b) => a.CompareTo(b) < 0;

    /// <summary>Orders versions.</summary>
    public static bool operator >(SemanticVersion a, SemanticVersion b) => a.CompareTo(b) > 0;

    /// <summary>Orders versions.</summary>
    public static bool operator <=(SemanticVersion a, SemanticVersion b) => a.CompareTo(b) <= 0;

    /// <summary>Orders versions.</summary>
    public static bool operator >=(SemanticVersion a, SemanticVersion b) => a.CompareTo(b) >= 0;

    /// <inheritdoc />
    public override string ToString() => Prerelease.Length == 0 ? $"{Major}.{Minor}.{Patch}" : $"{Major}.{Minor}.{Patch}-{Prerelease}";
}
