namespace ManagedDistribution.AppleEmulator;

/// <summary>
/// The Apple-services emulator: local stand-ins for what cannot run on a laptop (APNs, the Apps
/// and Books API, devices). Each part lives in its own folder; <see cref="EmulatorHost"/> maps them.
/// Not top-level statements: the test project references both this and the functions app, and
/// two global <c>Program</c> types would collide.
/// </summary>
public static class EmulatorProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Contains(Apns.ApnsOnlyProgram.Flag)) return await Apns.ApnsOnlyProgram.RunAsync(args);
        await using var host = await EmulatorHost.StartAsync(args);
        Console.WriteLine("Apple services emulator running. Ctrl+C to stop.");
        await host.WaitForShutdownAsync();
        return 0;
    }
}
