using Kmesh.Waypoint.Routing;

namespace Kmesh.Waypoint.Proxy;

/// <summary>The table in force; swapped whole when a configuration is applied.</summary>
internal sealed class WaypointTables
{
    private WaypointTable _current = WaypointTable.Empty;

    public WaypointTable Current => Volatile.Read(ref _current);

    public void Replace(WaypointTable table) => Volatile.Write(ref _current, table);
}
