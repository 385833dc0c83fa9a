using ManagedDistribution.Platform.Telemetry;

namespace ManagedDistribution.Tests.Platform.Telemetry;

public class SecretRedactorTests
{
    [Theory]
    [InlineData("Authorization: Bearer abc.DEF-123_x/y+z==", "abc.DEF-123_x/y+z==")]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5a2V5a2V5+/==;EndpointSuffix=core.windows.net", "a2V5a2V5a2V5+/==")]
    [InlineData("""{"sToken":"eyJ0b2tlbiI6InNlY3JldCJ9","name":"x"}""", "eyJ0b2tlbiI6InNlY3JldCJ9")]
    [InlineData("PushMagic=7F3A9C2B-1D4E-4F5A-8B6C-0D1E2F3A4B5C", "7F3A9C2B-1D4E-4F5A-8B6C-0D1E2F3A4B5C")]
    [InlineData("<key>PushMagic</key>\n<string>7F3A9C2B-MAGIC</string>", "7F3A9C2B-MAGIC")]
    [InlineData("<key>UnlockToken</key><data>\nAAECAwQFBgcICQ==\n</data>", "AAECAwQFBgcICQ==")]
    [InlineData("apiKey: s3cr3t-value", "s3cr3t-value")]
    [InlineData("https://acct.queue.core.windows.net/q?sv=2024&sig=AbCdEf%2Bsecret&se=2030", "AbCdEf%2Bsecret")]
    public void MasksTheSecretValue(string text, string secret)
    {
        var redacted = SecretRedactor.Redact(text);
        Assert.DoesNotContain(secret, redacted);
        Assert.Contains(SecretRedactor.Mask, redacted);
    }

    [Fact]
    public void MasksLongBase64Anywhere()
    {
        var blob = Convert.ToBase64String(Enumerable.Range(0, 120).Select(i => (byte)i).ToArray());
        Assert.DoesNotContain(blob, SecretRedactor.Redact("payload " + blob + " end"));
    }

    [Theory]
    [InlineData("Assignment 42 for license lic-7 in partition users-3 took 12 ms")]
    [InlineData("MessageType=TokenUpdate EnrollmentId=ABC-123")]
    [InlineData("PartitionKey eq 'devices' and RowKey eq 'x'")]
    public void LeavesOrdinaryTextAlone(string text) => Assert.Equal(text, SecretRedactor.Redact(text));

    [Theory]
    [InlineData("SToken", true)]
    [InlineData("PushMagic", true)]
    [InlineData("UnlockToken", true)]
    [InlineData("ApiKey", true)]
    [InlineData("EnrollmentId", false)]
    [InlineData("MessageType", false)]
    [InlineData("RowKey", false)]
    public void KnowsSecretPropertyNames(string name, bool secret) => Assert.Equal(secret, SecretRedactor.IsSecretName(name));
}
