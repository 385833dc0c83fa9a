using ManagedDistribution.Features.AppleNotifications;
using ManagedDistribution.Features.Assignments;
using ManagedDistribution.Features.Assignments.DeviceGroups;
using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.Catalog;
using ManagedDistribution.Features.Licenses;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Push;
using ManagedDistribution.Features.Tasks;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Features.Mail;
using ManagedDistribution.Features.Invitations;
using ManagedDistribution.Features.Invitations.Campaigns;
using ManagedDistribution.Features.Reconciliation;
using ManagedDistribution.Platform;
using ManagedDistribution.Platform.Workflows;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatform();
builder.Services.AddAppsAndBooks();
builder.Services.AddPush();
builder.Services.AddWorkflows();
builder.Services.AddPushDelivery();
builder.Services.AddDevices();
builder.Services.AddDirectory();
builder.Services.AddMail();
builder.Services.AddLicenses();
builder.Services.AddLocationTokens();
builder.Services.AddCatalog();
builder.Services.AddAppleNotifications();
builder.Services.AddAssignments();
builder.Services.AddManagedDistribution();
builder.Services.AddReconciliation();

var app = builder.Build();

app.UsePlatform();
app.MapPlatform();
app.MapTasks();
app.MapDevices();
app.MapDirectory();
app.MapLocationTokens();
app.MapCatalog();
app.MapAppleNotifications();
app.MapAssignments();
app.MapDeviceGroupAssignments();
app.MapManagedDistribution();
app.MapGroupInvitations();
app.MapReconciliation();

app.Run();

/// <summary>Entry point; public so WebApplicationFactory&lt;Program&gt; can host the app in tests.</summary>
public partial class Program;
