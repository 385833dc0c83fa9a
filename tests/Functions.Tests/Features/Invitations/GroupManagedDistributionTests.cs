using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ManagedDistribution.AppleEmulator.Devices;
using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Platform.Storage;
using ManagedDistribution.Tests.Features.Devices.Push;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ManagedDistribution.Tests.Features.Invitations;

/// <summary>Managed distribution for a whole user group, campaign previews, and USER_ASSOCIATED acceptance.</summary>
public sealed class GroupManagedDistributionTests(AzuriteFixture azurite, ApnsEmulatorFixture emulator) : IClassFixture<ApnsEmulatorFixture>
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EnablingAGroupRegistersEveryMemberAndDisablingListsTheLicensesFirst()
    {
        await using var host = CampaignTestHost.Start(azurite, emulator);
        var location = await host.InstallLocationAsync();
        await host.AddUserAsync("ann", "ann@example.com");
        await host.AddUserAsync("bob", "bob@example.com", managedAppleId: "bob@appleid.example");
        await host.AddGroupAsync("class-a", "ann", "bob");

        var enabled = await CampaignTestHost.OkAsync(await host.SetGroupEnabledAsync("class-a", true));
        Assert.Equal((2, 2, 1), (enabled.GetProperty("members").GetInt32(), enabled.GetProperty("changed").GetInt32(), enabled.GetProperty("enrolled").GetInt32()));
        Assert.Equal("notInvited", await host.StatusOfAsync("ann"));
        Assert.Equal("enrolled", await host.StatusOfAsync("bob"));
        Assert.Equal(["bob"], host.Enrolments.Enrolled);
        Assert.Equal(2, location.UsersSnapshot().Count(u => u.Status is "Registered" or "Associated"));
        var again = await CampaignTestHost.OkAsync(await host.SetGroupEnabledAsync("class-a", true));
        Assert.Equal((0, 2), (again.GetProperty("changed").GetInt32(), again.GetProperty("unchanged").GetInt32()));

        // Ann holds a book and an app license: disabling says what happens to them before doing it.
        await AddUserLicenseAsync(host, "ann", "book-1", ContentRecord.Book, "Swift Basics");
        await AddUserLicenseAsync(host, "ann", "app-1", ContentRecord.App, "Keynote");
        var refused = await ProblemAssert.IsProblemAsync(await host.SetGroupEnabledAsync("class-a", false), HttpStatusCode.Conflict, "confirmation-required");
        var affected = refused.GetProperty("affectedLicenses").EnumerateArray()
            .Select(a => (a.GetProperty("userId").GetString(), a.GetProperty("contentId").GetString(), a.GetProperty("outcome").GetString())).ToList();
        Assert.Equal([("ann", "app-1", "released"), ("ann", "book-1", "kept")], affected);
        Assert.Equal("notInvited", await host.StatusOfAsync("ann"));

        var disabled = await CampaignTestHost.OkAsync(await host.SetGroupEnabledAsync("class-a", false, confirm: true));
        Assert.Equal(2, disabled.GetProperty("changed").GetInt32());
        Assert.Equal(2, disabled.GetProperty("affectedLicenses").GetArrayLength());
        Assert.Equal("retired", await host.StatusOfAsync("ann"));
        Assert.Equal("retired", await host.StatusOfAsync("bob"));
        Assert.All(location.UsersSnapshot(), u => Assert.Equal("Retired", u.Status));
        Assert.Equal(["ann", "bob"], host.Enrolments.Retired.Order(StringComparer.Ordinal));

        // A single user with a license gets the same confirmation.
        await host.AddUserAsync("cy", "cy@example.com");
        await CampaignTestHost.OkAsync(await host.SetUserEnabledAsync("cy", true));
        await AddUserLicenseAsync(host, "cy", "app-1", ContentRecord.App, "Keynote");
        await ProblemAssert.IsProblemAsync(await host.SetUserEnabledAsync("cy", false), HttpStatusCode.Conflict, "confirmation-required");
        var retired = await CampaignTestHost.OkAsync(await host.SetUserEnabledAsync("cy", false, confirm: true));
        Assert.Equal("retired", retired.GetProperty("status").GetString());
        // The answer lists what the confirmation was about, as the group's does.
        Assert.Equal("app-1", Assert.Single(retired.GetProperty("affectedLicenses").EnumerateArray()).GetProperty("contentId").GetString());
    }

    [Fact]
    public async Task PreviewCountsRecipientsAndSkipsForBothAudiencesAndChannels()
    {
        await using var host = CampaignTestHost.Start(azurite, emulator);
        await host.InstallLocationAsync();
        await host.AddUserAsync("n1", "n1@example.com");
        await host.AddUserAsync("n2");
        await host.AddUserAsync("i1", "i1@example.com");
        await host.AddUserAsync("e1", "e1@example.com", managedAppleId: "e1@appleid.example");
        await host.AddUserAsync("x1", "x1@example.com");
        await host.AddGroupAsync("g", "n1", "n2", "i1", "e1");
        await CampaignTestHost.OkAsync(await host.SetGroupEnabledAsync("g", true));
        await host.Admin.PostAsJsonAsync("/api/user-groups/g/members", new { ids = new[] { "x1" } }, Cancel); // joined after: not enabled
        await CampaignTestHost.OkAsync(await host.Admin.PostAsJsonAsync("/api/users/i1/invitations", new { channel = "email" }, Cancel));
        host.StartSimulator(accept: false);
        await host.EnrolDeviceForAsync("n2");

        await AssertPreviewAsync(host, "notInvited", "email", 1, new() { ["no-email"] = 1, ["already-invited"] = 1, ["already-enrolled"] = 1, ["managed-distribution-not-enabled"] = 1 });
        var device = await AssertPreviewAsync(host, "notInvited", "device", 1,
            new() { ["no-enrolled-device"] = 1, ["already-invited"] = 1, ["already-enrolled"] = 1, ["managed-distribution-not-enabled"] = 1 });
        var n2 = Assert.Single(device.GetProperty("recipients").EnumerateArray());
        Assert.Equal("n2", n2.GetProperty("userId").GetString());
        Assert.Single(n2.GetProperty("devices").EnumerateArray());
        await AssertPreviewAsync(host, "notEnrolled", "email", 1, new() { ["never-invited"] = 2, ["already-enrolled"] = 1, ["managed-distribution-not-enabled"] = 1 });
        await AssertPreviewAsync(host, "notEnrolled", "device", 0,
            new() { ["never-invited"] = 2, ["no-enrolled-device"] = 1, ["already-enrolled"] = 1, ["managed-distribution-not-enabled"] = 1 });

        var bad = await host.Admin.PostAsJsonAsync("/api/user-groups/g/invitations/preview", new { channel = "email" }, Cancel);
        await ProblemAssert.IsProblemAsync(bad, HttpStatusCode.BadRequest, "validation");
        var missing = await host.Admin.PostAsJsonAsync("/api/user-groups/nope/invitations/preview", new { audience = "notInvited" }, Cancel);
        await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task UserAssociatedEnrolsOnceHoweverOftenItArrives()
    {
        await using var host = CampaignTestHost.Start(azurite, emulator);
        var location = await host.InstallLocationAsync();
        await host.AddUserAsync("dee", "dee@example.com");
        await CampaignTestHost.OkAsync(await host.SetUserEnabledAsync("dee", true));
        var atApple = Assert.Single(location.UsersSnapshot(), u => u.ClientUserId == "dee");

        using var apple = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Port}/") };
        apple.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", location.NotificationAuthToken);
        var body = new
        {
            notificationId = Guid.NewGuid().ToString(), notificationType = "USER_ASSOCIATED", uId = location.UId,
            notification = new { associatedUsers = new[] { new { clientUserId = "dee", idHash = "abc", inviteCode = atApple.InviteCode, status = "Associated" } } },
        };
        var first = await CampaignTestHost.OkAsync(await apple.PostAsJsonAsync("api/apple/notifications", body, Cancel));
        Assert.Equal(("applied", false), (first.GetProperty("state").GetString(), first.GetProperty("duplicate").GetBoolean()));
        var repeated = await CampaignTestHost.OkAsync(await apple.PostAsJsonAsync("api/apple/notifications", body, Cancel));
        Assert.True(repeated.GetProperty("duplicate").GetBoolean());
        // Another notification about the same acceptance (a new id) changes nothing either.
        await CampaignTestHost.OkAsync(await apple.PostAsJsonAsync("api/apple/notifications", body with { notificationId = Guid.NewGuid().ToString() }, Cancel));

        Assert.Equal("enrolled", await host.StatusOfAsync("dee"));
        Assert.Equal(["dee"], host.Enrolments.Enrolled);
    }

    [Fact]
    public async Task UserManagementNotificationsEnrolAndRetire()
    {
        await using var host = CampaignTestHost.Start(azurite, emulator);
        var location = await host.InstallLocationAsync();
        await host.AddUserAsync("fay", "fay@example.com");
        await host.AddUserAsync("gus", "gus@example.com");
        await CampaignTestHost.OkAsync(await host.SetUserEnabledAsync("fay", true));
        await CampaignTestHost.OkAsync(await host.SetUserEnabledAsync("gus", true));
        var fayAtApple = Assert.Single(location.UsersSnapshot(), u => u.ClientUserId == "fay");
        var gusAtApple = Assert.Single(location.UsersSnapshot(), u => u.ClientUserId == "gus");

        using var apple = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{host.Port}/") };
        apple.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", location.NotificationAuthToken);
        // An update that linked a Managed Apple Account: Apple reports the user associated.
        var update = new
        {
            notificationId = Guid.NewGuid().ToString(), notificationType = "USER_MANAGEMENT", uId = location.UId,
            notification = new { eventId = "e1", result = "SUCCESS", type = "UPDATE",
                users = new[] { new { clientUserId = "fay", inviteCode = fayAtApple.InviteCode, status = "Associated" } } },
        };
        Assert.Equal("applied", (await CampaignTestHost.OkAsync(await apple.PostAsJsonAsync("api/apple/notifications", update, Cancel))).GetProperty("state").GetString());
        var retire = new
        {
            notificationId = Guid.NewGuid().ToString(), notificationType = "USER_MANAGEMENT", uId = location.UId,
            // Apple lists the registration it retired (its invite code): a report about an older one would be ignored.
            notification = new { eventId = "e2", result = "SUCCESS", type = "RETIRE", users = new[] { new { clientUserId = "gus", inviteCode = gusAtApple.InviteCode } } },
        };
        await CampaignTestHost.OkAsync(await apple.PostAsJsonAsync("api/apple/notifications", retire, Cancel));

        Assert.Equal("enrolled", await host.StatusOfAsync("fay"));
        Assert.Equal(["fay"], host.Enrolments.Enrolled);
        Assert.Equal("retired", await host.StatusOfAsync("gus"));
        Assert.Equal(["gus"], host.Enrolments.Retired);
    }

    static async Task<JsonElement> AssertPreviewAsync(CampaignTestHost host, string audience, string channel, int count, Dictionary<string, int> skipped)
    {
        var preview = await host.PreviewAsync("g", audience, channel);
        Assert.Equal(count, preview.GetProperty("count").GetInt32());
        Assert.Equal(5, preview.GetProperty("members").GetInt32());
        var actual = preview.GetProperty("skipped").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(skipped.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
        return preview;
    }

    static async Task AddUserLicenseAsync(CampaignTestHost host, string userId, string contentId, string type, string name)
    {
        var content = host.App.Services.GetRequiredService<TableServiceClient>().GetTableClient(ContentStore.TableName);
        await content.CreateIfNotExistsAsync(Cancel);
        await content.UpsertEntityAsync(new TableEntity(ContentRecord.Partition, contentId) { ["Type"] = type, ["Name"] = name }, cancellationToken: Cancel);
        await host.App.Services.GetRequiredService<AssignmentStore>().SaveAsync(new TableEntity(AssignmentStore.PartitionFor(TargetKinds.User, userId), contentId)
        {
            ["TargetKind"] = TargetKinds.User, ["TargetId"] = userId, ["State"] = "installed", ["LicenseConsumed"] = true, ["UpdatedAt"] = DateTimeOffset.UtcNow,
        }, Cancel);
    }
}
