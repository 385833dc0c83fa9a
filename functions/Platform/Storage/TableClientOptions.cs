using Azure.Core;

namespace ManagedDistribution.Platform.Storage;

/// <summary>
/// Pipeline settings for <see cref="TableServiceClient"/>: Azure.Core's retry (3 tries,
/// exponential, on 408/429/500/502/503/504 and I/O errors), transport, diagnostics, extra policies.
/// The Table service version is pinned to <see cref="ServiceVersion"/>.
/// </summary>
public sealed class TableClientOptions : ClientOptions
{
    /// <summary>The pinned <c>x-ms-version</c> (the newest the Azure.Data.Tables SDK speaks).</summary>
    public const string ServiceVersion = "2020-12-06";

    public TableClientOptions()
    {
        Diagnostics.ApplicationId = "ManagedDistribution";
    }
}
