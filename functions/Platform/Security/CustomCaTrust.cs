using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace ManagedDistribution.Platform.Security;

/// <summary>
/// Server certificate validation that also trusts one configured CA (a local stand-in's, or a
/// private relay's): the system roots first; otherwise a chain to that CA, with the host name still
/// checked. Used as a RemoteCertificateValidationCallback by the APNs and SMTP clients.
/// </summary>
public static class CustomCaTrust
{
    public static bool IsTrusted(X509Certificate? server, SslPolicyErrors errors, X509Certificate2 trustedCa)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (server is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trustedCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return server is X509Certificate2 certificate
            ? chain.Build(certificate)
            : chain.Build(X509CertificateLoader.LoadCertificate(server.GetRawCertData()));
    }
}
