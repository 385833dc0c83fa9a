using ManagedDistribution.Tests.Infrastructure;

namespace ManagedDistribution.Tests;

public class SmokeTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task AzuriteAnswers()
    {
        using var http = new HttpClient();
        var response = await http.GetAsync(azurite.Account.TableEndpoint + "/Tables", TestContext.Current.CancellationToken);
        Assert.NotEqual(0, (int)response.StatusCode);
    }
}
