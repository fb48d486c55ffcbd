namespace Kmesh.Ctl.Output;

/// <summary>What a command prints: tables (and compact lines) for people, the admin API's JSON for scripts.</summary>
internal enum OutputFormat
{
    Table,
    Json,
}
