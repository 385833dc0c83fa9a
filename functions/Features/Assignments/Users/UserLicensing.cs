using ManagedDistribution.Platform.Storage;

namespace ManagedDistribution.Features.Assignments.Users;

/// <summary>Values of the user-licensing fields and reasons of user-targeted assignments.</summary>
public static class UserLicensing
{
    public const string LicenseTypeUser = "user";
    public const string AssignmentModeAppleId = "appleId";
    /// <summary>Apple released the user's app licenses when the user was retired.</summary>
    public const string UserRetired = "user-retired";
    /// <summary>The user left the group or the assignment was deleted; set on members.</summary>
    public const string LeftGroup = "left-group";

    public static AssignmentDto ToDto(TableEntity row)
    {
        var dto = AssignmentStore.ToDto(row);
        var kind = Enum.TryParse<ContentKind>(row.GetString("ContentKind"), out var k) ? k : ContentKind.InternalApp;
        return IsPurchased(kind) ? dto with { LicenseType = LicenseTypeUser, AssignmentMode = AssignmentModeAppleId } : dto;
    }

    public static bool IsPurchased(ContentKind kind) => kind is ContentKind.VppApp or ContentKind.VppBook;

    public static ContentKind KindOfRow(TableEntity row) =>
        Enum.TryParse<ContentKind>(row.GetString("ContentKind"), out var k) ? k : ContentKind.InternalApp;
}
