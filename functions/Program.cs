using ManagedDistribution.Features.AppsAndBooks;
using ManagedDistribution.Features.Devices.Push;
using ManagedDistribution.Platform;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatform();
builder.Services.AddAppsAndBooks();
builder.Services.AddPush();

var app = builder.Build();

app.UsePlatform();
app.MapPlatform();

app.Run();

/// <summary>Entry point; public so WebApplicationFactory&lt;Program&gt; can host the app in tests.</summary>
public partial class Program;
