using ManagedDistribution.Features.Mail.Pickup;
using ManagedDistribution.Features.Mail.SendGrid;
using ManagedDistribution.Features.Mail.Smtp;
using ManagedDistribution.Features.Mail.Templates;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Mail;

public static class MailModule
{
    /// <summary>
    /// Registers <see cref="IMailSender"/> for the configured <c>Mail:Provider</c>,
    /// <see cref="MailTemplates"/>, and the <c>Mail</c> options, validated at startup.
    /// </summary>
    public static IServiceCollection AddMail(this IServiceCollection services)
    {
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<MailOptions>, MailOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(nameof(SendGridSender))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // SendGridSender applies its own per-request timeout and retries.
            .ConfigureHttpClient(http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<MailTemplates>();
        services.AddSingleton<IMailSender>(CreateSender);
        return services;
    }

    static IMailSender CreateSender(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<MailOptions>>();
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MailModule).FullName!);
        var value = options.Value;
        switch (value.Provider)
        {
            case MailProvider.Smtp:
                MailLog.Configured(logger, nameof(MailProvider.Smtp), $"{value.Smtp.Host}:{value.Smtp.Port} (STARTTLS {value.Smtp.StartTls})");
                return new SmtpSender(options, time, services.GetRequiredService<ILogger<SmtpSender>>());
            case MailProvider.SendGrid:
                MailLog.Configured(logger, nameof(MailProvider.SendGrid), value.SendGrid.BaseUrl.ToString());
                return new SendGridSender(services.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(SendGridSender)),
                    options, time, services.GetRequiredService<ILogger<SendGridSender>>());
            default:
                var pickup = new PickupSender(options, services.GetRequiredService<IHostEnvironment>(), time, services.GetRequiredService<ILogger<PickupSender>>());
                MailLog.Configured(logger, nameof(MailProvider.Pickup), pickup.Directory);
                return pickup;
        }
    }
}
