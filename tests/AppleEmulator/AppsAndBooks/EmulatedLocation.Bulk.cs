namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

// Fast seeding for reconciliation tests and the 500,000-assignment benchmark, and users in a
// given state without going through users/create events.
public sealed partial class EmulatedLocation
{
    /// <summary>
    /// Adds assignments of one asset in one lock, without events or notifications (like
    /// <see cref="AddOrphanAssignment"/>, only many at once). Existing ones are left as they are.
    /// Returns how many were added.
    /// </summary>
    public int SeedAssignments(string adamId, IEnumerable<string>? serialNumbers = null, IEnumerable<string>? clientUserIds = null,
        string pricingParam = "STDQ")
    {
        var asset = new AssetId(adamId, pricingParam);
        var added = 0;
        lock (Sync)
        {
            foreach (var serial in serialNumbers ?? [])
                added += Seed(new AssignmentKey(asset, null, serial));
            foreach (var user in clientUserIds ?? [])
                added += Seed(new AssignmentKey(asset, user, null));
        }
        return added;
    }

    int Seed(AssignmentKey key)
    {
        if (Assignments.ContainsKey(key)) return 0;
        AddAssignment(key);
        return 1;
    }

    /// <summary>A user as if created earlier (Registered, or Associated with an idHash); no event, no notification.</summary>
    public void AddUser(string clientUserId, string status = "Registered", string? email = null)
    {
        lock (Sync)
            Users.Add(new EmulatedUser
            {
                ClientUserId = clientUserId, Email = email, Status = status, Version = Bump(),
                IdHash = status == "Registered" ? null : IdHashFor(clientUserId),
            });
    }

    /// <summary>Retires a user behind the MDM's back (the portal): revocable licenses go, book licenses stay.</summary>
    public bool RetireUser(string clientUserId)
    {
        lock (Sync) return Retire(clientUserId).Item1 is null;
    }

    /// <summary>The current <c>versionId</c>, as page 0 of a read would report it.</summary>
    public string CurrentVersionId
    {
        get { lock (Sync) return VersionId; }
    }
}
