using System.ComponentModel.DataAnnotations;

namespace ManagedDistribution.Features.AppsAndBooks;

/// <summary>Settings of the <c>AppleAppsAndBooks</c> section.</summary>
public sealed class AppsAndBooksOptions
{
    public const string SectionName = "AppleAppsAndBooks";

    /// <summary>API base; ends with a slash so relative paths append.</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://vpp.itunes.apple.com/mdm/v2/");

    /// <summary>Public HTTPS URL of <c>/api/apple/notifications</c>; when set, installing a token registers it.</summary>
    public Uri? NotificationUrl { get; set; }

    /// <summary><c>mdmInfo.id</c>: stable and unique per deployment, so a takeover by another MDM shows.</summary>
    [MaxLength(100)]
    public string MdmId { get; set; } = "managed-distribution";

    [MaxLength(100)]
    public string MdmName { get; set; } = "Managed Distribution";

    [MaxLength(255)]
    public string MdmMetadata { get; set; } = "v1";

    /// <summary>Retries after the first attempt for 429/9646, 5xx and 9603.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>First back-off delay (Fleet uses 5 s); doubles each retry up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A Retry-After longer than this is not waited out in-process: the error surfaces with
    /// <see cref="AppsAndBooksException.RetryAfter"/> so a queue can reschedule.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long Service Config is cached; Apple asks for a re-read every 5 minutes.</summary>
    public TimeSpan ServiceConfigRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Pages fetched concurrently after page 0; Apple allows at most 5.</summary>
    [Range(1, 5)]
    public int MaxParallelPageRequests { get; set; } = 1;

    /// <summary>First Event Status poll delay in <c>WaitForEventAsync</c>; grows ×1.5 up to <see cref="MaxEventPollDelay"/>.</summary>
    public TimeSpan InitialEventPollDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxEventPollDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A chunked write stops (throws) at the first response naming another MDM.</summary>
    public bool StopWritesOnMdmInfoConflict { get; set; } = true;
}
