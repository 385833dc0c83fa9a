using System.Net;
using System.Text;
using System.Text.Json;
using ManagedDistribution.Features.LocationTokens;
using ManagedDistribution.Tests.Infrastructure;
using ManagedDistribution.Tests.Platform.Http;

namespace ManagedDistribution.Tests.Features.LocationTokens;

/// <summary>Installing location tokens against the emulator, and their health.</summary>
public sealed class LocationTokensEndpointsTests(AzuriteFixture azurite)
{
    static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InstallReportsTheLocationAndNeverReturnsTheToken()
    {
        await using var host = await VppTestHost.StartAsync(azurite);
        var location = host.NewLocation("Lincoln High");
        location.AddAsset("1001", 25);

        var response = await host.InstallAsync(location.SToken);
        var text = await response.Content.ReadAsStringAsync(Cancel);
        var token = await host.ReadAsync<LocationTokenDto>(response, HttpStatusCode.Created);

        Assert.Equal((location.UId, "Lincoln High", "Lincoln High Campus"), (token.Id, token.OrganizationName, token.LocationName));
        Assert.Equal(TokenHealth.Valid, token.Health);
        Assert.Equal(location.ExpiresOn.ToUnixTimeSeconds(), token.ExpiresOn!.Value.ToUnixTimeSeconds());
        Assert.Equal(1, token.CatalogItems);
        Assert.DoesNotContain(location.SToken, text);
        Assert.Equal("md-test", location.MdmInfo?.Id);
        var listed = await host.ReadAsync<LocationTokenDto[]>(await host.Client.GetAsync("/api/vpp/tokens", Cancel));
        Assert.Equal([location.UId], listed.Select(t => t.Id));
        Assert.DoesNotContain(location.SToken, await (await host.Client.GetAsync("/api/vpp/tokens", Cancel)).Content.ReadAsStringAsync(Cancel));

        // Same location again: replaced, not duplicated.
        await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(location.SToken));
        Assert.Single(await host.ReadAsync<LocationTokenDto[]>(await host.Client.GetAsync("/api/vpp/tokens", Cancel)));
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.DeleteAsync($"/api/vpp/tokens/{location.UId}", Cancel)).StatusCode);
        await ProblemAssert.IsProblemAsync(await host.Client.DeleteAsync($"/api/vpp/tokens/{location.UId}", Cancel), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task TokensAppleRefusesAreNotStored()
    {
        await using var host = await VppTestHost.StartAsync(azurite);
        var expired = host.NewLocation("Old", DateTimeOffset.UtcNow.AddDays(-1));
        var revoked = host.NewLocation("Gone");
        revoked.IsRevoked = true;
        var unknown = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"token":"abc","expDate":"2031-01-01T00:00:00+0000","orgName":"Nobody"}"""));

        await ProblemAssert.IsProblemAsync(await host.InstallAsync(expired.SToken), HttpStatusCode.BadRequest, "token-expired");
        await ProblemAssert.IsProblemAsync(await host.InstallAsync(revoked.SToken), HttpStatusCode.BadRequest, "token-revoked");
        await ProblemAssert.IsProblemAsync(await host.InstallAsync(unknown), HttpStatusCode.BadRequest, "token-rejected");
        await ProblemAssert.IsProblemAsync(await host.InstallAsync("not base64 at all!"), HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.IsProblemAsync(await host.InstallAsync(Convert.ToBase64String("{}"u8.ToArray())), HttpStatusCode.BadRequest, "validation");
        await ProblemAssert.IsProblemAsync(await host.InstallAsync(null!), HttpStatusCode.BadRequest, "validation");
        Assert.Empty(await host.ReadAsync<LocationTokenDto[]>(await host.Client.GetAsync("/api/vpp/tokens", Cancel)));
    }

    [Fact]
    public async Task HealthFollowsApple()
    {
        await using var host = await VppTestHost.StartAsync(azurite);
        var soon = host.NewLocation("Soon", DateTimeOffset.UtcNow.AddDays(10));
        var taken = host.NewLocation("Taken");
        var revoked = host.NewLocation("Revoked later");
        foreach (var l in new[] { soon, taken, revoked }) await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(l.SToken), HttpStatusCode.Created);

        taken.ClaimByOtherMdm("other-mdm", "Other MDM");
        revoked.IsRevoked = true;
        var health = (await host.ReadAsync<LocationTokenDto[]>(await host.Client.GetAsync("/api/vpp/tokens", Cancel))).ToDictionary(t => t.Id);

        Assert.Equal(TokenHealth.Expiring, health[soon.UId].Health);
        Assert.Equal(TokenHealth.UsedByAnotherMdm, health[taken.UId].Health);
        Assert.Equal("other-mdm", health[taken.UId].OtherMdm?.Id);
        Assert.Equal(TokenHealth.Revoked, health[revoked.UId].Health);
        soon.ExpiresOn = DateTimeOffset.UtcNow.AddSeconds(-1);
        var later = (await host.ReadAsync<LocationTokenDto[]>(await host.Client.GetAsync("/api/vpp/tokens", Cancel))).Single(t => t.Id == soon.UId);
        Assert.Equal(TokenHealth.Expired, later.Health);
    }

    [Fact]
    public async Task ALocationOfAnotherMdmIsOnlyClaimedWhenAsked()
    {
        await using var host = await VppTestHost.StartAsync(azurite);
        var location = host.NewLocation();
        location.ClaimByOtherMdm("other-mdm");

        var installed = await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(location.SToken), HttpStatusCode.Created);
        Assert.Equal(TokenHealth.UsedByAnotherMdm, installed.Health);
        Assert.Equal("other-mdm", location.MdmInfo?.Id);

        var claimed = await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(location.SToken, takeOver: true));
        Assert.Equal(TokenHealth.Valid, claimed.Health);
        Assert.Equal("md-test", location.MdmInfo?.Id);
    }

    [Fact]
    public async Task StoredTokensAreEncrypted()
    {
        await using var host = await VppTestHost.StartAsync(azurite);
        var location = host.NewLocation();
        await host.ReadAsync<LocationTokenDto>(await host.InstallAsync(location.SToken), HttpStatusCode.Created);

        var table = new ManagedDistribution.Platform.Storage.TableServiceClient(azurite.Account,
            Microsoft.Extensions.Options.Options.Create(new ManagedDistribution.Platform.Storage.StorageOptions { Prefix = host.App.StoragePrefix }))
            .GetTableClient(LocationTokenStore.TableName);
        var row = await table.GetEntityAsync(LocationTokenRecord.Partition, location.UId, cancellationToken: Cancel);
        Assert.StartsWith("v1:", row!.GetString("ProtectedToken"));
        Assert.DoesNotContain(location.SToken, JsonSerializer.Serialize(row.ToDictionary(p => p.Key, p => p.Value.ToString())));
    }
}
