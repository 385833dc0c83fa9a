using System.Security.Cryptography.X509Certificates;

namespace ManagedDistribution.AppleEmulator.Certificates;

/// <summary>
/// The emulator's certificates as files, so the app and the emulator (possibly separate
/// processes, possibly separate runs) share one PKI. PKCS#12 files use <see cref="TestPki.Password"/>.
/// </summary>
public sealed class TestPkiFolder
{
    public const string LocalCaPkcs12 = "emulator-ca.p12";
    public const string LocalCaPem = "emulator-ca.pem";
    public const string PushCaPkcs12 = "push-ca.p12";
    public const string PushCaPem = "push-ca.pem";
    public const string ServerPkcs12 = "emulator-server.p12";
    public const string PushPkcs12 = "mdm-push.p12";

    TestPkiFolder(string path, TestPki pki)
    {
        Path = path;
        Pki = pki;
    }

    public string Path { get; }
    public TestPki Pki { get; }

    /// <summary>The MDM push certificate with key: the app's <c>Apns:CertificatePath</c>.</summary>
    public string PushCertificatePath => File(PushPkcs12);

    /// <summary>The CA that issued the emulator's TLS certificate: the app's <c>Apns:TrustedCaPath</c>.</summary>
    public string LocalCaPemPath => File(LocalCaPem);

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Loads the PKI from <paramref name="path"/> if all files are there, else creates one and writes it.</summary>
    public static TestPkiFolder LoadOrCreate(string path)
    {
        Directory.CreateDirectory(path);
        var pki = TryLoad(path) ?? Write(path, TestPki.Create());
        return new TestPkiFolder(path, pki);
    }

    /// <summary>Writes <paramref name="pki"/> into <paramref name="path"/>, replacing existing files.</summary>
    public static TestPki Write(string path, TestPki pki)
    {
        Directory.CreateDirectory(path);
        void Save(string name, byte[] bytes) => System.IO.File.WriteAllBytes(System.IO.Path.Combine(path, name), bytes);
        Save(LocalCaPkcs12, TestPki.ExportPkcs12(pki.LocalCa));
        Save(PushCaPkcs12, TestPki.ExportPkcs12(pki.PushCa));
        Save(ServerPkcs12, TestPki.ExportPkcs12(pki.ServerCertificate));
        Save(PushPkcs12, TestPki.ExportPkcs12(pki.PushCertificate));
        System.IO.File.WriteAllText(System.IO.Path.Combine(path, LocalCaPem), TestPki.ExportPem(pki.LocalCa));
        System.IO.File.WriteAllText(System.IO.Path.Combine(path, PushCaPem), TestPki.ExportPem(pki.PushCa));
        return pki;
    }

    static TestPki? TryLoad(string path)
    {
        string File(string name) => System.IO.Path.Combine(path, name);
        X509Certificate2 Load(string name) => X509CertificateLoader.LoadPkcs12FromFile(File(name), TestPki.Password);
        string[] required = [LocalCaPkcs12, PushCaPkcs12, ServerPkcs12, PushPkcs12, LocalCaPem, PushCaPem];
        if (!required.All(name => System.IO.File.Exists(File(name)))) return null;
        var pki = new TestPki(Load(LocalCaPkcs12), Load(PushCaPkcs12), Load(ServerPkcs12), Load(PushPkcs12));
        // Regenerate rather than serve an expired certificate from an old run.
        return pki.ServerCertificate.NotAfter > DateTime.Now.AddDays(1) && pki.PushCertificate.NotAfter > DateTime.Now.AddDays(1)
            ? pki : null;
    }
}
