using System.Net;
using System.Net.Http.Json;
using ManagedDistribution.Features.AppsAndBooks.Models;
using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Assignments.Members;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Commands;
using ManagedDistribution.Features.Devices.Registry;
using ManagedDistribution.Features.Invitations;
using ManagedDistribution.Features.Invitations.Acceptance;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.AppleEmulator.AppsAndBooks;
using ManagedDistribution.Tests.Features.LocationTokens;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;
using Microsoft.Extensions.DependencyInjection;
using static ManagedDistribution.Tests.Features.Assignments.AssignmentTestKit;
using static ManagedDistribution.Tests.Features.Assignments.UserAssignmentTestKit;

namespace ManagedDistribution.Tests.Features.Assignments;

/// <summary>Content assigned to single users, end to end against Azurite and the Apps and Books emulator (R1, R2, R6, R8).</summary>
public sealed class UserAssignmentTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PurchasedAppWaitsForEnrolmentThenIsLicensedAndInstalledOnTheUsersDevices()
    {
        await using var host = await StartAsync(azurite);
        var location = await LocationAsync(host, ("9101", 2, "App"));
        var app = ContentId(location, "9101");
        var user = await AddUserAsync(host);
        var (iphone, mac) = (await DeviceOfAsync(host, user), await DeviceOfAsync(host, user, "macOS", "14.5"));
        // A second Mac where the user has signed in: the user-licensed app goes on the user's channel.
        var sharedMac = await DeviceOfAsync(host, user, "macOS", "15.0");
        var macUser = Guid.NewGuid().ToString("D").ToUpperInvariant();
        await host.App.Services.GetRequiredService<DeviceStore>().UpdateUserChannelAsync(sharedMac, macUser,
            _ => new UserChannelRecord { DeviceId = sharedMac, UserId = macUser, UserShortName = user }, Cancel);

        var preview = await PreviewAsync(host, "users", user, app);
        Assert.Equal((true, 0), (preview.Allowed, preview.LicensesNeeded));
        Assert.Contains("pending", preview.Reason, StringComparison.OrdinalIgnoreCase);

        // R8: not enrolled → pending, no license reserved, nothing at Apple, nothing queued.
        var pending = await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, user, app), HttpStatusCode.Created);
        Assert.Equal((AssignmentStates.Pending, MemberReasons.UserNotEnrolled, "user", "appleId", false),
            (pending.State, pending.Reason, pending.LicenseType, pending.AssignmentMode, pending.LicenseConsumed));
        var counts = await CountsAsync(host, app);
        Assert.Equal((0, 0, 2), (counts.Assigned, counts.Reserved, counts.Available));
        Assert.Empty(await CommandsAsync(host, iphone));
        // Repeat POST: the same assignment, 200.
        Assert.Equal(pending.Id, (await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, user, app))).Id);

        await EnrolUserAsync(host, location, user, DateTimeOffset.UtcNow);
        var licensed = await UserAssignmentAsync(host, user, app);
        Assert.Equal((AssignmentStates.Licensed, true), (licensed.State, licensed.LicenseConsumed));
        Assert.True(AtApple(location, "9101", user));
        Assert.Equal(1, (await CountsAsync(host, app)).Assigned);
        var command = Assert.Single(await CommandsAsync(host, iphone));
        Assert.Equal("InstallApplication", command.RequestType);
        var record = await host.App.Services.GetRequiredService<CommandStore>().FindAsync(new ChannelId(iphone), command.CommandUuid, Cancel);
        Assert.Matches(@"<key>iTunesStoreID</key>\s*<integer>9101</integer>", record!.Payload);
        Assert.Matches(@"<key>PurchaseMethod</key>\s*<integer>1</integer>", record.Payload);
        var macCommand = Assert.Single(await CommandsAsync(host, mac)); // no user channel: the Mac's device channel
        Assert.Equal("InstallApplication", macCommand.RequestType);
        var onUserChannel = await host.App.Services.GetRequiredService<CommandStore>().RecentAsync(new ChannelId(sharedMac, macUser), 10, Cancel);
        Assert.NotNull(licensed.CommandUuid);
        Assert.Equal("InstallApplication", Assert.Single(onUserChannel).RequestType);

        // The enrolment told again (a notification replay): nothing more.
        await EnrolUserAsync(host, location, user, DateTimeOffset.UtcNow);
        Assert.Equal(1, (await CountsAsync(host, app)).Assigned);
        Assert.Single(await CommandsAsync(host, iphone));

        // Revoke: disassociated at Apple, license returned; twice → 404.
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/users/{user}/assignments/{app}", Cancel)).StatusCode);
        Assert.False(AtApple(location, "9101", user));
        Assert.Equal((0, 2), ((await CountsAsync(host, app)).Assigned, (await CountsAsync(host, app)).Available));
        await ProblemAssert.IsProblemAsync(await host.Client.DeleteAsync($"/api/users/{user}/assignments/{app}", Cancel), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task AUserLeftReservedByAnInterruptedAssignmentIsAssociatedWhenItIsSentAgain()
    {
        await using var host = await StartAsync(azurite);
        var (location, app, user) = await EnrolledUserAndAppAsync(host, "9107");
        // As if an earlier attempt died between its reservation and Apple: the row reserved for this assignment, nothing at Apple.
        var owner = $"{TargetKinds.User}:{user}:{app}";
        await host.App.Services.GetRequiredService<LicenseLedger>().ReserveAsync(
            new ReservationRequest(app, 1, owner, owner + ":crashed", ReservationMode.AllOrNothing, [LicenseTarget.User(user)]), Cancel);

        var licensed = await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, user, app), HttpStatusCode.Created);
        Assert.Equal((AssignmentStates.Licensed, true), (licensed.State, licensed.LicenseConsumed));
        Assert.True(AtApple(location, "9107", user));
        var counts = await CountsAsync(host, app);
        Assert.Equal((1, 0, 1), (counts.Assigned, counts.Reserved, counts.Available));
    }

    /// <summary>A location with 2 licenses of app <paramref name="adamId"/> and a user enrolled in managed distribution.</summary>
    static async Task<(EmulatedLocation Location, string App, string User)> EnrolledUserAndAppAsync(VppTestHost host, string adamId)
    {
        var location = await LocationAsync(host, (adamId, 2, "App"));
        var user = await AddUserAsync(host);
        await EnrolUserAsync(host, location, user, DateTimeOffset.UtcNow);
        return (location, ContentId(location, adamId), user);
    }

    [Fact]
    public async Task WhenAppleFailsTheLicenseIsGivenBackWholeAndTheRetryAssociates()
    {
        await using var host = await StartAsync(azurite);
        var (location, app, user) = await EnrolledUserAndAppAsync(host, "9108");
        host.Emulator.Faults.Inject(new InjectedFault(500, null, Count: 50, PathContains: "assets/associate"));

        Assert.Equal(HttpStatusCode.FailedDependency, (await AssignUserAsync(host, user, app)).StatusCode);
        var counts = await CountsAsync(host, app);
        Assert.Equal((0, 0, 2), (counts.Assigned, counts.Reserved, counts.Available));
        host.Emulator.Faults.Clear();

        // The retry must not take the row the failed attempt had reserved for a license.
        var retried = await AssignUserAsync(host, user, app);
        Assert.True(retried.IsSuccessStatusCode, await retried.Content.ReadAsStringAsync(Cancel));
        Assert.Equal(AssignmentStates.Licensed, (await UserAssignmentAsync(host, user, app)).State);
        Assert.True(AtApple(location, "9108", user));
        counts = await CountsAsync(host, app);
        Assert.Equal((1, 0), (counts.Assigned, counts.Reserved));
    }

    [Fact]
    public async Task AnEnrolmentWhoseAnnouncementDiedIsAnnouncedWhenAppleNextReportsTheUser()
    {
        await using var host = await StartAsync(azurite);
        var location = await LocationAsync(host, ("9131", 2, "App"));
        var app = ContentId(location, "9131");
        var user = await AddUserAsync(host);
        var iphone = await DeviceOfAsync(host, user);
        Assert.Equal(AssignmentStates.Pending, (await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, user, app), HttpStatusCode.Created)).State);

        // The user accepted; the process stored the enrolment and died before its listeners ran.
        Assert.True(location.AcceptInvitation(user));
        var states = host.App.Services.GetRequiredService<ManagedDistributionStore>();
        var enrolledAt = DateTimeOffset.UtcNow - EnrolmentUpdates.AnnouncementLostAfter - TimeSpan.FromMinutes(1);
        await states.SaveAsync(await states.GetAsync(user, Cancel) with { Status = EnrolmentStatus.Enrolled, EnrolledAt = enrolledAt }, Cancel);
        Assert.Equal(AssignmentStates.Pending, (await UserAssignmentAsync(host, user, app)).State);

        // Apple reports the user again (the hourly user sync, a replayed notification): nothing changes, but it is announced now.
        var updates = host.App.Services.GetRequiredService<EnrolmentUpdates>();
        AppsAndBooksUser[] report = [new() { ClientUserId = user, Status = AppsAndBooksUser.Associated }];
        Assert.Equal(0, await updates.ApplyAsync(location.UId, report, Cancel));
        Assert.Equal(AssignmentStates.Licensed, (await UserAssignmentAsync(host, user, app)).State);
        Assert.Equal(EnrolmentStatus.Enrolled, (await states.GetAsync(user, Cancel)).AnnouncedStatus);
        Assert.Single(await CommandsAsync(host, iphone));

        // Announced once: the next report leaves it alone.
        await updates.ApplyAsync(location.UId, report, Cancel);
        Assert.Equal((1, 0), ((await CountsAsync(host, app)).Assigned, (await CountsAsync(host, app)).Reserved));
        Assert.Single(await CommandsAsync(host, iphone));
    }

    [Fact]
    public async Task BooksAreIrrevocableManualModeQueuesNothingAndRetireReleasesOnlyApps()
    {
        await using var host = await StartAsync(azurite);
        var location = await LocationAsync(host, ("9201", 3, "Book"), ("9202", 3, "App"));
        var (book, app) = (ContentId(location, "9201"), ContentId(location, "9202"));
        var user = await AddUserAsync(host);
        var (ipad, mac) = (await DeviceOfAsync(host, user, "iPadOS", "17.0"), await DeviceOfAsync(host, user, "macOS", "14.5"));
        await EnrolUserAsync(host, location, user, DateTimeOffset.UtcNow);

        // R1: purchased books go to users; InstallMedia on the iPad only, the Mac's Books app shows it.
        var assigned = await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, user, book), HttpStatusCode.Created);
        Assert.Equal((AssignmentStates.Licensed, "user"), (assigned.State, assigned.LicenseType));
        Assert.Equal("InstallMedia", Assert.Single(await CommandsAsync(host, ipad)).RequestType);
        Assert.Empty(await CommandsAsync(host, mac));
        Assert.Contains("Books", assigned.Note, StringComparison.Ordinal);
        // R2: never revoked.
        await ProblemAssert.IsProblemAsync(await host.Client.DeleteAsync($"/api/users/{user}/assignments/{book}", Cancel), HttpStatusCode.Conflict, "irrevocable");
        Assert.True(AtApple(location, "9201", user));

        // R6 manual: licensed, no command.
        var manual = await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, user, app, "manual"), HttpStatusCode.Created);
        Assert.Equal((AssignmentStates.Licensed, "manual", null), (manual.State, manual.InstallMode, manual.CommandUuid));
        Assert.Contains("purchases", manual.Note, StringComparison.Ordinal);
        Assert.Single(await CommandsAsync(host, ipad));

        // Retire: Apple released the app license; ours is returned, the book stays. Twice: no change.
        for (var i = 0; i < 2; i++)
        {
            await RetireUserAsync(host, user);
            var retired = await UserAssignmentAsync(host, user, app);
            Assert.Equal((AssignmentStates.Revoked, "user-retired", false), (retired.State, retired.Reason, retired.LicenseConsumed));
            Assert.Equal(0, (await CountsAsync(host, app)).Assigned);
            Assert.Equal(1, (await CountsAsync(host, book)).Assigned);
            Assert.Equal(AssignmentStates.Licensed, (await UserAssignmentAsync(host, user, book)).State);
        }
    }

    [Fact]
    public async Task RulesAndCodes()
    {
        await using var host = await StartAsync(azurite);
        var location = await LocationAsync(host, ("9301", 1, "App"));
        var app = ContentId(location, "9301");
        var internalApp = await AddInternalAsync(host, new
        {
            type = "app", name = "Field Notes", bundleId = "com.example.fieldnotes", manifestUrl = "https://apps.example.org/m.plist", platforms = new[] { "iOS" },
        });
        await ProblemAssert.IsProblemAsync(await AssignUserAsync(host, "nobody", app), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblemAsync(await AssignGroupAsync(host, "nogroup", app), HttpStatusCode.NotFound, "not-found");
        var (first, second) = (await AddUserAsync(host), await AddUserAsync(host));
        await ProblemAssert.IsProblemAsync(await AssignUserAsync(host, first, "vpp-none"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblemAsync(await AssignUserAsync(host, first, app, "sometimes"), HttpStatusCode.BadRequest, "validation");
        await EnrolUserAsync(host, location, first, DateTimeOffset.UtcNow);
        await EnrolUserAsync(host, location, second, DateTimeOffset.UtcNow);

        await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, first, app), HttpStatusCode.Created);
        // The only license is taken: single user → 409, nothing kept, nobody waits.
        Assert.Equal("license-exhausted", (await PreviewAsync(host, "users", second, app)).Refusal);
        await ProblemAssert.IsProblemAsync(await AssignUserAsync(host, second, app), HttpStatusCode.Conflict, "license-exhausted");
        Assert.Empty((await host.ReadAsync<AssignmentList>(await host.Client.GetAsync($"/api/users/{second}/assignments", Cancel))).Items);
        Assert.Equal(0, (await host.JsonAsync(await host.Client.GetAsync($"/api/content/{app}/licenses", Cancel))).GetProperty("waitingTotal").GetInt32());

        // R6: internal apps install automatically even when asked for manual, no license involved, no enrolment needed.
        var device = await DeviceOfAsync(host, second);
        var internalAssigned = await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, second, internalApp, "manual"), HttpStatusCode.Created);
        Assert.Equal(("automatic", null, false), (internalAssigned.InstallMode, internalAssigned.LicenseType, internalAssigned.LicenseConsumed));
        Assert.Equal(internalAssigned.CommandUuid, Assert.Single(await CommandsAsync(host, device)).CommandUuid);
    }

    [Fact]
    public async Task EarlierEnrolmentWinsTheLastLicenseAndTheWaitingUserIsServedWhenOneFrees()
    {
        await using var host = await StartAsync(azurite);
        var location = await LocationAsync(host, ("9701", 1, "App"));
        var app = ContentId(location, "9701");
        var (early, late) = (await AddUserAsync(host), await AddUserAsync(host));
        await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, late, app), HttpStatusCode.Created);
        await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, early, app), HttpStatusCode.Created);

        await EnrolUserAsync(host, location, early, DateTimeOffset.UtcNow);
        await EnrolUserAsync(host, location, late, DateTimeOffset.UtcNow);
        Assert.Equal(AssignmentStates.Licensed, (await UserAssignmentAsync(host, early, app)).State);
        var waiting = await UserAssignmentAsync(host, late, app);
        Assert.Equal((AssignmentStates.Pending, MemberReasons.NoLicense), (waiting.State, waiting.Reason));
        Assert.Equal(1, (await host.JsonAsync(await host.Client.GetAsync($"/api/content/{app}/licenses", Cancel))).GetProperty("waitingTotal").GetInt32());

        // The revoke returns the license and serves the waiting list by itself.
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/users/{early}/assignments/{app}", Cancel)).StatusCode);
        Assert.Equal(AssignmentStates.Licensed, (await UserAssignmentAsync(host, late, app)).State);
        Assert.True(AtApple(location, "9701", late));
        Assert.Equal(0, (await host.JsonAsync(await host.Client.GetAsync($"/api/content/{app}/licenses", Cancel))).GetProperty("waitingTotal").GetInt32());
    }

    [Fact]
    public async Task UsersAcceptingThroughApplesNotificationsAreLicensedInTheOrderTheyAccepted()
    {
        // End to end: the acceptances reach us as Apple's USER_ASSOCIATED, not through the listeners directly.
        await using var host = await VppTestHost.StartAsync(azurite, notifications: true,
            settings: new() { ["AppleAppsAndBooks:InitialEventPollDelay"] = "00:00:00.020" });
        var location = await LocationAsync(host, ("9802", 1, "App"));
        var app = ContentId(location, "9802");
        var (first, second) = (await AddUserAsync(host), await AddUserAsync(host));
        // Assigned in the opposite order to acceptance: R17 serves acceptance order.
        await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, second, app), HttpStatusCode.Created);
        await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, first, app), HttpStatusCode.Created);

        Assert.True(location.AcceptInvitation(first));
        await VppTestHost.EventuallyAsync(async () => (await UserAssignmentAsync(host, first, app)).State == AssignmentStates.Licensed, "the first to accept to be licensed");
        Assert.True(location.AcceptInvitation(second));
        await VppTestHost.EventuallyAsync(async () => (await UserAssignmentAsync(host, second, app)).Reason == MemberReasons.NoLicense, "the second to wait for a license");

        Assert.Equal(AssignmentStates.Pending, (await UserAssignmentAsync(host, second, app)).State);
        Assert.True(AtApple(location, "9802", first));
        Assert.False(AtApple(location, "9802", second));
    }

    [Fact]
    public async Task AUserAssociatedNotificationActivatesThePendingAssignment()
    {
        await using var host = await VppTestHost.StartAsync(azurite, notifications: true,
            settings: new() { ["AppleAppsAndBooks:InitialEventPollDelay"] = "00:00:00.020" });
        var location = await LocationAsync(host, ("9801", 1, "App"));
        var app = ContentId(location, "9801");
        var user = await AddUserAsync(host);
        var device = await DeviceOfAsync(host, user);
        Assert.Equal(AssignmentStates.Pending, (await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, user, app), HttpStatusCode.Created)).State);

        Assert.True(location.AcceptInvitation(user)); // Apple POSTs USER_ASSOCIATED; Invitations marks the user enrolled and tells us
        await VppTestHost.EventuallyAsync(async () => (await UserAssignmentAsync(host, user, app)).State == AssignmentStates.Licensed, "the assignment to activate");
        Assert.True(AtApple(location, "9801", user));
        Assert.Equal("InstallApplication", Assert.Single(await CommandsAsync(host, device)).RequestType);
    }

    [Fact]
    public async Task AnAcceptanceWhoseNotificationNeverCameIsFoundByTheReconciliationsUserSync()
    {
        // No notification URL configured: Apple's USER_ASSOCIATED never reaches us.
        await using var host = await VppTestHost.StartAsync(azurite, settings: new() { ["AppleAppsAndBooks:InitialEventPollDelay"] = "00:00:00.020" });
        var location = await LocationAsync(host, ("9801", 1, "App"));
        var app = ContentId(location, "9801");
        var user = await AddUserAsync(host);
        var device = await DeviceOfAsync(host, user);
        Assert.Equal(AssignmentStates.Pending, (await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, user, app), HttpStatusCode.Created)).State);
        Assert.True(location.AcceptInvitation(user));

        await Reconciliation.ReconciliationTestKit.RunAsync(host);

        await VppTestHost.EventuallyAsync(async () => (await UserAssignmentAsync(host, user, app)).State == AssignmentStates.Licensed, "the assignment to activate");
        var state = await host.ReadAsync<System.Text.Json.JsonElement>(await host.Client.GetAsync($"/api/users/{user}/managed-distribution", Cancel));
        Assert.Equal("enrolled", state.GetProperty("status").GetString());
        Assert.True(AtApple(location, "9801", user));
        Assert.Equal("InstallApplication", Assert.Single(await CommandsAsync(host, device)).RequestType);
    }

    [Fact]
    public async Task ADeviceTheUserEnrolsLaterGetsTheUsersContent()
    {
        await using var host = await StartAsync(azurite);
        var location = await LocationAsync(host, ("9801", 2, "App"));
        var app = ContentId(location, "9801");
        var user = await AddUserAsync(host);
        var iphone = await DeviceOfAsync(host, user);
        await EnrolUserAsync(host, location, user, DateTimeOffset.UtcNow);
        Assert.Equal(AssignmentStates.Licensed, (await host.ReadAsync<AssignmentDto>(await AssignUserAsync(host, user, app), HttpStatusCode.Created)).State);
        Assert.Single(await CommandsAsync(host, iphone));

        // A new iPad checks in (Authenticate, TokenUpdate) and is given to the user, then its token updates again.
        var ipad = Guid.NewGuid().ToString("D").ToUpperInvariant();
        await CheckinAsync(host, Plist("Authenticate", ipad, "<key>SerialNumber</key><string>SNIPAD1</string><key>ProductName</key><string>iPad13,1</string><key>OSVersion</key><string>17.5</string>"));
        var response = await host.Client.PutAsJsonAsync($"/api/devices/{ipad}/user", new { userId = user }, Cancel);
        Assert.True(response.IsSuccessStatusCode);
        var tokenUpdate = Plist("TokenUpdate", ipad, "<key>Token</key><data>AAECAw==</data><key>PushMagic</key><string>magic-1</string>");
        await CheckinAsync(host, tokenUpdate);
        await CheckinAsync(host, tokenUpdate); // a repeated TokenUpdate queues nothing twice

        var command = Assert.Single(await CommandsAsync(host, ipad));
        Assert.Equal("InstallApplication", command.RequestType);
        Assert.Single(await CommandsAsync(host, iphone)); // the user's other device got nothing new
        Assert.Equal(1, (await CountsAsync(host, app)).Assigned); // a user license: nothing more consumed

        // The iPhone fetches and acknowledges its install: the assignment is installed.
        var iphoneCommand = Assert.Single(await CommandsAsync(host, iphone)).CommandUuid;
        await ConnectAsync(host, Plist("", iphone, "<key>Status</key><string>Idle</string>"));
        await ConnectAsync(host, Plist("", iphone, $"<key>Status</key><string>Acknowledged</string><key>CommandUUID</key><string>{iphoneCommand}</string>"));
        Assert.Equal(AssignmentStates.Installed, (await UserAssignmentAsync(host, user, app)).State);
        // Still a license holder: revoking returns it.
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/users/{user}/assignments/{app}", Cancel)).StatusCode);
        Assert.Equal(0, (await CountsAsync(host, app)).Assigned);
    }

    /// <summary>A check-in message (with <paramref name="messageType"/>) or, without one, a connect report.</summary>
    static byte[] Plist(string messageType, string udid, string extra) => System.Text.Encoding.UTF8.GetBytes(
        $"""<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>{(messageType.Length == 0 ? "" : $"<key>MessageType</key><string>{messageType}</string><key>Topic</key><string>com.apple.mgmt.test</string>")}<key>UDID</key><string>{udid}</string>{extra}</dict></plist>""");

    static Task CheckinAsync(VppTestHost host, byte[] body) => PutAsync(host, "/mdm/checkin", "application/x-apple-aspen-mdm-checkin", body);

    static Task ConnectAsync(VppTestHost host, byte[] body) => PutAsync(host, "/mdm/connect", "application/x-apple-aspen-mdm", body);

    static async Task PutAsync(VppTestHost host, string path, string contentType, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        var response = await host.Client.SendAsync(request, Cancel);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Cancel));
    }
}
