namespace ManagedDistribution.Features.AppsAndBooks.Models;

/// <summary>
/// The identity of an Apple asset: <c>(adamId, pricingParam)</c>. <c>pricingParam</c> is
/// <c>STDQ</c> (standard) or <c>PLUS</c> (high quality) and is always sent explicitly.
/// </summary>
public sealed record AssetKey(string AdamId, string PricingParam = AssetKey.Standard)
{
    public const string Standard = "STDQ";
    public const string HighQuality = "PLUS";
}
