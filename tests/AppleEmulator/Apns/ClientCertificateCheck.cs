using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using ManagedDistribution.AppleEmulator.Certificates;

namespace ManagedDistribution.AppleEmulator.Apns;

/// <summary>
/// Decides whether a TLS client certificate is a valid MDM push certificate: issued by the push
/// CA, within its validity, with a UID topic. Kestrel hands every request on a connection the same
/// certificate instance, so the verdict is cached per instance and the chain is built once per connection.
/// </summary>
sealed class ClientCertificateCheck(X509Certificate2 pushCa)
{
    readonly ConditionalWeakTable<X509Certificate2, Verdict> verdicts = new();

    /// <summary>The push topic of a trusted certificate; null when absent or not trusted.</summary>
    public string? TopicOf(X509Certificate2? certificate) =>
        certificate is null ? null : verdicts.GetValue(certificate, Check).Topic;

    Verdict Check(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(pushCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return new Verdict(chain.Build(certificate) ? TestPki.TopicOf(certificate) : null);
    }

    sealed record Verdict(string? Topic);
}
