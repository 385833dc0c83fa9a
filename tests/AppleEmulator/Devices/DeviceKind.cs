namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>The kinds of device the simulator can be: what they report at enrolment.</summary>
public enum DeviceKind
{
    IPad,
    IPhone,
    Mac,
}

/// <summary>A hardware model and the OS it runs, as sent in <c>Authenticate</c>.</summary>
public sealed record DeviceModel(DeviceKind Kind, string ProductName, string ModelName, string OSVersion, string BuildVersion)
{
    public static DeviceModel For(DeviceKind kind) => kind switch
    {
        DeviceKind.IPad => new(kind, "iPad13,1", "iPad Air", "17.5.1", "21F90"),
        DeviceKind.IPhone => new(kind, "iPhone15,2", "iPhone 14 Pro", "17.5.1", "21F90"),
        DeviceKind.Mac => new(kind, "MacBookPro18,1", "MacBook Pro", "14.5", "23F79"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>iOS and iPadOS keep books and answer ManagedMediaList; macOS does so only per user.</summary>
    public bool IsMac => Kind == DeviceKind.Mac;
}
