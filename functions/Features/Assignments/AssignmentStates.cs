namespace ManagedDistribution.Features.Assignments;

/// <summary>Values of an assignment's <c>State</c>.</summary>
public static class AssignmentStates
{
    public const string Licensed = "licensed";
    public const string Pending = "pending";
    public const string Failed = "failed";
    /// <summary>The device acknowledged the install command.</summary>
    public const string Installed = "installed";
    /// <summary>The target lost the content without the assignment being deleted (the device checked out, the user retired); <c>Reason</c> says why. POST again to reassign.</summary>
    public const string Revoked = "revoked";
}

/// <summary>Values of <c>InstallMode</c> (R6).</summary>
public static class InstallModes
{
    public const string Automatic = "automatic";
    public const string Manual = "manual";
}

/// <summary>Values of <c>TargetKind</c>; part of the <c>assignments</c> partition key.</summary>
public static class TargetKinds
{
    public const string Device = "device";
    public const string DeviceGroup = "device-group";
    public const string User = "user";
    public const string UserGroup = "user-group";
}
