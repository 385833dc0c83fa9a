using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.Devices;
using ManagedDistribution.Features.Devices.Push;
using ManagedDistribution.Features.Directory;
using ManagedDistribution.Platform;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatform();
builder.Services.AddAppsAndBooks();
builder.Services.AddPush();
builder.Services.AddDevices();
builder.Services.AddDirectory();

var app = builder.Build();

app.UsePlatform();
app.MapPlatform();
app.MapDevices();
app.MapDirectory();

app.Run();

/// <summary>Entry point; public so WebApplicationFactory&lt;Program&gt; can host the app in tests.</summary>
public partial class Program;
