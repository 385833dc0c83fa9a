using System.Diagnostics;
using ManagedDistribution.AppleEmulator.Devices;

namespace ManagedDistribution.Benchmarks;

/// <summary>
/// One simulated iPad enrolled through the MDM endpoints, outside the campaign's group: while a
/// campaign runs it connects every half second (<c>PUT</c> Idle, answered with an empty body), as
/// the devices the campaign's pushes wake would, and records how long each check-in took.
/// </summary>
sealed class CheckInProbe(DeviceSimulator simulator, SimulatedDevice device)
{
    public static async Task<CheckInProbe> EnrolAsync(DeviceSimulator simulator)
    {
        var device = (await simulator.EnrolAsync(1, DeviceKind.IPad))[0];
        if (!device.Enrolled) throw new InvalidOperationException("The check-in probe did not enrol: " + device.LastError);
        return new CheckInProbe(simulator, device);
    }

    /// <summary>Checks in until <paramref name="stop"/>; the seconds each check-in took, sorted.</summary>
    public async Task<List<double>> RunAsync(CancellationToken stop)
    {
        var took = new List<double>();
        while (!stop.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            await simulator.ConnectAsync(device.DeviceChannel);
            took.Add(clock.Elapsed.TotalSeconds);
            try { await Task.Delay(500, stop); }
            catch (OperationCanceledException) { break; }
        }
        took.Sort();
        return took;
    }
}
