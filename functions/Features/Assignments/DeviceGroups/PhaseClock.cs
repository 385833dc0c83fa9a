using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ManagedDistribution.Features.Assignments.DeviceGroups;

/// <summary>
/// Elapsed milliseconds per named phase of one serve or one batch, for the timing log lines the
/// assign-group benchmark reads (<c>name=ms</c> pairs). Not thread-safe: one per unit of work.
/// </summary>
public sealed class PhaseClock
{
    readonly Stopwatch clock = Stopwatch.StartNew();
    readonly List<(string Name, long Ms)> laps = [];
    long last;

    /// <summary>Ends the current phase under <paramref name="name"/> (a repeated name adds up).</summary>
    public void Lap(string name)
    {
        var now = clock.ElapsedMilliseconds;
        var index = laps.FindIndex(l => l.Name == name);
        if (index < 0) laps.Add((name, now - last));
        else laps[index] = (name, laps[index].Ms + now - last);
        last = now;
    }

    public long TotalMs => clock.ElapsedMilliseconds;

    /// <summary><c>name=ms name=ms … total=ms</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (name, ms) in laps) text.Append(name).Append('=').Append(ms.ToString(CultureInfo.InvariantCulture)).Append(' ');
        return text.Append("total=").Append(TotalMs.ToString(CultureInfo.InvariantCulture)).ToString();
    }
}
