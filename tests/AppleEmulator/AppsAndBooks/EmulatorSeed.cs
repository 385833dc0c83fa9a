using System.Text.Json;

namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary>
/// Seed data for a run: locations with their assets and users. The generated sTokens are
/// printed by the emulator program and returned by <c>POST /emulator/appsandbooks/seed</c>.
/// </summary>
public sealed record EmulatorSeed(IReadOnlyList<SeedLocation> Locations)
{
    public static IReadOnlyList<EmulatedLocation> Load(AppsAndBooksEmulator emulator, string json)
    {
        var seed = JsonSerializer.Deserialize<EmulatorSeed>(json, WireJson.Options) ?? throw new InvalidDataException("Empty seed.");
        return seed.Locations.Select(l => l.AddTo(emulator)).ToList();
    }
}

public sealed record SeedLocation(
    string OrgName, string? LocationName, DateTimeOffset? ExpiresOn, IReadOnlyList<SeedAsset>? Assets, IReadOnlyList<SeedUser>? Users)
{
    public EmulatedLocation AddTo(AppsAndBooksEmulator emulator)
    {
        var location = emulator.AddLocation(OrgName, LocationName, ExpiresOn);
        foreach (var asset in Assets ?? []) location.AddAsset(asset.ToAsset());
        lock (location.Sync)
            foreach (var user in Users ?? [])
                location.Users.Add(new EmulatedUser
                {
                    ClientUserId = user.ClientUserId, Email = user.Email, Version = location.Bump(),
                    Status = user.Associated ? "Associated" : "Registered",
                    IdHash = user.Associated ? EmulatedLocation.IdHashFor(user.ClientUserId) : null,
                });
        return location;
    }
}

/// <summary>An asset to seed; books default to neither device-assignable nor revocable.</summary>
public sealed record SeedAsset(
    string AdamId, string? PricingParam, string? ProductType, int TotalCount, int RetiredCount = 0,
    bool? DeviceAssignable = null, bool? Revocable = null, IReadOnlyList<string>? SupportedPlatforms = null)
{
    public EmulatedAsset ToAsset()
    {
        var isApp = (ProductType ?? "App") == "App";
        return new EmulatedAsset
        {
            AdamId = AdamId, PricingParam = PricingParam ?? "STDQ", ProductType = ProductType ?? "App",
            TotalCount = TotalCount, RetiredCount = RetiredCount,
            DeviceAssignable = DeviceAssignable ?? isApp, Revocable = Revocable ?? isApp,
            SupportedPlatforms = SupportedPlatforms ?? (isApp ? ["iOS", "macOS"] : ["iOS"]),
        };
    }
}

public sealed record SeedUser(string ClientUserId, string? Email, bool Associated = false);
