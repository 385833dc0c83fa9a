using System.Security.Cryptography.X509Certificates;
using ManagedDistribution.AppleEmulator.Certificates;

namespace ManagedDistribution.Tests.Emulator;

public sealed class TestPkiTests
{
    [Fact]
    public void FolderIsReusedAcrossRuns()
    {
        var path = Path.Combine(Path.GetTempPath(), "md-pki-tests-" + Guid.NewGuid().ToString("N"));
        try
        {
            var first = TestPkiFolder.LoadOrCreate(path);
            var second = TestPkiFolder.LoadOrCreate(path);

            Assert.Equal(first.Pki.PushTopic, second.Pki.PushTopic);
            Assert.Equal(first.Pki.ServerCertificate.Thumbprint, second.Pki.ServerCertificate.Thumbprint);
            Assert.True(X509CertificateLoader.LoadPkcs12FromFile(second.PushCertificatePath, TestPki.Password).HasPrivateKey);
            Assert.Equal(first.Pki.LocalCa.RawData, X509CertificateLoader.LoadCertificateFromFile(second.LocalCaPemPath).RawData);
        }
        finally
        {
            Directory.Delete(path, recursive: true);
        }
    }

    [Fact]
    public void CertificatesChainToTheirCas()
    {
        var pki = TestPki.Create();
        var device = pki.IssueDeviceIdentity("device-1");

        Assert.StartsWith("com.apple.mgmt.External.", pki.PushTopic);
        Assert.True(device.HasPrivateKey);
        Assert.True(Chains(device, pki.LocalCa));
        Assert.True(Chains(pki.ServerCertificate, pki.LocalCa));
        Assert.True(Chains(pki.PushCertificate, pki.PushCa));
        Assert.False(Chains(pki.PushCertificate, pki.LocalCa));
    }

    static bool Chains(X509Certificate2 certificate, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
