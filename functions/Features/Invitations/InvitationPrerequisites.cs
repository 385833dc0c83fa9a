namespace ManagedDistribution.Features.Invitations;

/// <summary>The names of R16's prerequisites (and email's), as the error lists them.</summary>
public static class InvitationPrerequisites
{
    public const string UserExists = "user-exists";
    public const string TokenInstalled = "token-installed";
    public const string ManagedDistributionEnabled = "managed-distribution-enabled";
    public const string RegisteredAtApple = "registered-at-apple";
    public const string UserHasEmail = "user-has-email";
    public const string DeviceEnrolled = "device-enrolled";
    public const string DeviceAssignedToUser = "device-assigned-to-user";
    public const string MacUserChannel = "mac-user-channel";
}
