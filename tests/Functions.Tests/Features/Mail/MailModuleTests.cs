using ManagedDistribution.Features.Mail;
using ManagedDistribution.Features.Mail.Pickup;
using ManagedDistribution.Features.Mail.SendGrid;
using ManagedDistribution.Features.Mail.Smtp;
using ManagedDistribution.Features.Mail.Templates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Tests.Features.Mail;

/// <summary>AddMail: the provider follows Mail:Provider, and bad settings stop startup with a message naming the key.</summary>
public sealed class MailModuleTests
{
    static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = Path.GetTempPath(), EnvironmentName = "Testing" });
        services.AddLogging();
        services.AddMail();
        return services.BuildServiceProvider();
    }

    [Theory]
    [InlineData(null, typeof(PickupSender))]
    [InlineData("Smtp", typeof(SmtpSender))]
    [InlineData("SendGrid", typeof(SendGridSender))]
    public void TheProviderFollowsTheSetting(string? provider, Type expected)
    {
        using var services = Build(new()
        {
            ["Mail:Provider"] = provider,
            ["Mail:Smtp:Host"] = "smtp.example.org",
            ["Mail:SendGrid:ApiKey"] = "SG.key",
        });

        Assert.IsType(expected, services.GetRequiredService<IMailSender>());
        Assert.NotNull(services.GetRequiredService<MailTemplates>());
    }

    [Fact]
    public void ThePickupFolderDefaultsUnderTheContentRoot()
    {
        using var services = Build([]);
        var pickup = Assert.IsType<PickupSender>(services.GetRequiredService<IMailSender>());
        Assert.Equal(Path.GetFullPath(Path.Combine(Path.GetTempPath(), ".data", "mail-pickup")), pickup.Directory);
    }

    [Theory]
    [InlineData("Mail:Smtp:Host is not set", "Mail:Provider=Smtp")]
    [InlineData("Mail:SendGrid:ApiKey is not set", "Mail:Provider=SendGrid")]
    [InlineData("credentials are only sent over TLS", "Mail:Provider=Smtp", "Mail:Smtp:Host=relay", "Mail:Smtp:StartTls=None", "Mail:Smtp:Username=u", "Mail:Smtp:Password=p")]
    [InlineData("Mail:Smtp:Password is empty", "Mail:Provider=Smtp", "Mail:Smtp:Host=relay", "Mail:Smtp:Username=u")]
    [InlineData("Mail:Smtp:Port", "Mail:Provider=Smtp", "Mail:Smtp:Host=relay", "Mail:Smtp:Port=70000")]
    [InlineData("Mail:Smtp:TrustedCaPath /nonexistent/ca.pem does not exist", "Mail:Provider=Smtp", "Mail:Smtp:Host=relay", "Mail:Smtp:TrustedCaPath=/nonexistent/ca.pem")]
    [InlineData("Mail:From 'not an address' is not a valid", "Mail:From=not an address")]
    [InlineData("Mail:TemplateDirectory", "Mail:TemplateDirectory=/nonexistent/templates")]
    public void BadSettingsFailWithAMessageNamingTheKey(string expected, params string[] settings)
    {
        using var services = Build(settings.Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => (string?)p[1]));

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<MailOptions>>().Value);

        Assert.Contains(expected, error.Message);
    }
}
