using System.Text.Json;
using ManagedDistribution.Features.AppsAndBooks.Models;

namespace ManagedDistribution.Tests.Features.AppsAndBooks;

public class ChunkingTests
{
    static int Count(JsonElement body, string name) =>
        body.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array ? array.GetArrayLength() : 0;

    [Fact]
    public async Task AssociateSplitsToTheLiveLimits()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        test.Emulator.Settings.Limits["maxAssets"] = 2;
        test.Emulator.Settings.Limits["maxSerialNumbers"] = 3;
        test.Emulator.Settings.Limits["maxClientUserIds"] = 4;
        var (location, token) = test.NewLocation();
        var assets = Enumerable.Range(1, 5).Select(i => location.AddAsset($"10{i}", 100).Id).Select(a => new AssetKey(a.AdamId)).ToList();
        var serials = Enumerable.Range(1, 7).Select(i => $"SER{i}").ToList();

        // duplicates are removed before splitting
        var eventIds = await test.Client.AssociateAsync(token, [.. assets, assets[0]], null, [.. serials, "SER1", "SER2"], ct);

        var requests = test.Emulator.Requests.To("assets/associate");
        Assert.Equal(3 * 3, requests.Count); // ⌈5/2⌉ asset chunks × ⌈7/3⌉ serial chunks
        Assert.Equal(9, eventIds.Distinct().Count());
        var bodies = requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.All(bodies, b => Assert.InRange(Count(b, "assets"), 1, 2));
        Assert.All(bodies, b => Assert.InRange(Count(b, "serialNumbers"), 1, 3));
        Assert.Equal(5 * 7, bodies.Sum(b => Count(b, "assets") * Count(b, "serialNumbers")));

        foreach (var id in eventIds) Assert.Equal(EventStatus.Complete, (await test.Client.WaitForEventAsync(token, id, ct)).EventStatusValue);
        Assert.Equal(35, location.AssignmentsSnapshot().Count);
    }

    [Fact]
    public async Task UsersAndSerialsShareRequestsEachWithinItsOwnLimit()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        test.Emulator.Settings.Limits["maxSerialNumbers"] = 3;
        test.Emulator.Settings.Limits["maxClientUserIds"] = 2;
        var (location, token) = test.NewLocation();
        location.AddAsset("200", 100);

        await test.Client.AssociateAsync(token, [new AssetKey("200")], ["u1", "u2", "u3"], ["S1", "S2", "S3", "S4", "S5", "S6", "S7"], ct);

        var bodies = test.Emulator.Requests.To("assets/associate").Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(3, bodies.Count); // max(⌈3/2⌉, ⌈7/3⌉)
        Assert.All(bodies, b => Assert.True(Count(b, "clientUserIds") <= 2 && Count(b, "serialNumbers") <= 3));
        Assert.Equal(3, bodies.Sum(b => Count(b, "clientUserIds")));
        Assert.Equal(7, bodies.Sum(b => Count(b, "serialNumbers")));
        Assert.All(bodies, b => Assert.Equal("STDQ", b.GetProperty("assets")[0].GetProperty("pricingParam").GetString()));
    }

    [Fact]
    public async Task RevokeAndUserCallsSplitToTheirLimits()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        test.Emulator.Settings.Limits["maxRevokeSerialNumbers"] = 2;
        test.Emulator.Settings.Limits["maxRevokeClientUserIds"] = 10;
        test.Emulator.Settings.Limits["maxUsers"] = 3;
        var (_, token) = test.NewLocation();

        var revokes = await test.Client.RevokeAsync(token, null, ["A", "B", "C", "D", "E"], ct);
        var creates = await test.Client.CreateUsersAsync(token,
            Enumerable.Range(1, 7).Select(i => new RequestUser($"user-{i}", $"u{i}@example.org")).Append(new RequestUser("user-1")), ct);
        var retires = await test.Client.RetireUsersAsync(token, ["user-1", "user-2", "user-3", "user-4"], ct);

        Assert.Equal(3, revokes.Count);
        Assert.Equal(3, creates.Count);
        Assert.Equal(2, retires.Count);
        var userBodies = test.Emulator.Requests.To("users/create").Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal(7, userBodies.Sum(b => Count(b, "users")));
        Assert.All(userBodies, b => Assert.InRange(Count(b, "users"), 1, 3));
    }

    [Fact]
    public async Task NothingToSendSendsNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var test = await AppsAndBooksTestHost.StartAsync();
        var (_, token) = test.NewLocation();

        Assert.Empty(await test.Client.AssociateAsync(token, [new AssetKey("1")], [], [], ct));
        Assert.Empty(test.Emulator.Requests.To("assets/associate"));
    }
}
