namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

// users/create, users/update, users/retire: synchronous validation (9714, 9715, 9717, 9720),
// then an event; 9716 (active duplicate) and 9609 (unknown user) are asynchronous.
public sealed partial class EmulatedLocation
{
    internal EmulatedEvent ManageUsers(ManageUsersBody body, string type, EmulatorSettings settings)
    {
        var users = body.Users ?? [];
        if (users.Count == 0) throw new AppleErrorException(9720);
        Check(users.Count > settings.Limit("maxUsers"), 9714);
        if (users.Any(u => string.IsNullOrWhiteSpace(u.ClientUserId))) throw new AppleErrorException(9602);
        Check(users.Select(u => u.ClientUserId).Distinct().Count() != users.Count, 9715);
        Check(users.Any(u => u.Email is { } e && !IsEmail(e)), 9717);
        lock (Sync)
            return NewEvent(type, users.Count, evt =>
            {
                var done = new List<WireUser>();
                var failed = new Dictionary<int, List<string>>();
                foreach (var user in users)
                {
                    var (error, result) = type switch
                    {
                        "CREATE" => Create(user),
                        "UPDATE" => Update(user),
                        _ => Retire(user.ClientUserId!),
                    };
                    if (result is not null) done.Add(result);
                    if (error is { } number) (failed.TryGetValue(number, out var list) ? list : failed[number] = []).Add(user.ClientUserId!);
                }
                evt.NumCompleted = done.Count;
                return Outcome(evt, type, done, failed);
            });
    }

    List<OutgoingNotification> Outcome(EmulatedEvent evt, string type, List<WireUser> done, Dictionary<int, List<string>> failed)
    {
        var notifications = new List<OutgoingNotification>();
        if (done.Count > 0)
            notifications.Add(new(NotificationTypes.UserManagement, new { eventId = evt.EventId, result = "SUCCESS", type, users = done }));
        foreach (var (number, ids) in failed)
        {
            var error = AppleErrors.Error(number, new WireErrorInfo(ClientUserIds: ids));
            evt.Failures.Add(error);
            var users = ids.Select(id => new { clientUserId = id }).ToList();
            notifications.Add(new(NotificationTypes.UserManagement,
                new { eventId = evt.EventId, result = "FAILURE", type, users, error = error with { ErrorInfo = null } }));
        }
        return notifications;
    }

    (int?, WireUser?) Create(WireRequestUser request)
    {
        if (ActiveUser(request.ClientUserId!) is not null) return (9716, null);
        var user = new EmulatedUser { ClientUserId = request.ClientUserId!, Email = request.Email, Version = Bump() };
        LinkManagedAppleId(user, request.ManagedAppleId);
        Users.Add(user);
        return (null, user.ToWire());
    }

    (int?, WireUser?) Update(WireRequestUser request)
    {
        if (ActiveUser(request.ClientUserId!) is not { } user) return (9609, null);
        if (request.Email is not null) user.Email = request.Email;
        LinkManagedAppleId(user, request.ManagedAppleId);
        user.Version = Bump();
        return (null, user.ToWire());
    }

    /// <summary>Retiring releases the user's revocable licenses; book licenses stay consumed.</summary>
    (int?, WireUser?) Retire(string clientUserId)
    {
        if (ActiveUser(clientUserId) is not { } user) return (9609, null);
        user.Status = "Retired";
        user.Version = Bump();
        var released = Assignments.Keys
            .Where(k => k.ClientUserId == clientUserId && Assets.GetValueOrDefault(k.Asset)?.Revocable != false)
            .ToList();
        foreach (var key in released) RemoveAssignment(key);
        return (null, user.ToWire());
    }

    /// <summary>A Managed Apple Account of the organisation associates at once, no invitation.</summary>
    static void LinkManagedAppleId(EmulatedUser user, string? managedAppleId)
    {
        if (string.IsNullOrWhiteSpace(managedAppleId)) return;
        user.ManagedAppleId = managedAppleId;
        user.Status = "Associated";
        user.IdHash ??= IdHashFor(user.ClientUserId);
    }

    static bool IsEmail(string email) =>
        email.IndexOf('@') is > 0 and var at && at < email.Length - 1 && !email.Contains(' ', StringComparison.Ordinal);
}
