using ManagedDistribution.AppleEmulator.AppsAndBooks;

namespace ManagedDistribution.AppleEmulator.Devices;

/// <summary>
/// Closes the invitation loop in the emulator: when a simulated device has acknowledged
/// InviteToProgram (and the server took the answer), its user follows the link — the invite code
/// in the URL is accepted at whichever emulated location issued it, which marks the user
/// Associated and sends USER_ASSOCIATED to the MDM. Opt-in, so tests that only look at the
/// command are unchanged.
/// </summary>
public static class InvitationAcceptance
{
    /// <summary>Starts accepting; dispose the result to stop. <paramref name="delay"/>: how long the user takes.</summary>
    public static IDisposable AcceptInvitationsWith(this DeviceSimulator simulator, AppsAndBooksEmulator apple, TimeSpan? delay = null)
    {
        void OnAnswered(SimulatedChannel channel, CommandAnswer answer)
        {
            if (answer.RequestType != "InviteToProgram" || answer.Status != "Acknowledged") return;
            var url = channel.Device.Invitations.LastOrDefault(i => i.ChannelId == channel.Id)?.InvitationUrl;
            if (InviteCodeOf(url) is not { } code) return;
            _ = Task.Run(async () =>
            {
                if (delay is { } wait && wait > TimeSpan.Zero) await Task.Delay(wait);
                foreach (var location in apple.Locations)
                    if (location.AcceptInvitation(code)) break;
            });
        }
        simulator.CommandAnswered += OnAnswered;
        return new Subscription(() => simulator.CommandAnswered -= OnAnswered);
    }

    /// <summary>The <c>inviteCode</c> query parameter of an invitation URL (contracts/apple.md §1.10).</summary>
    public static string? InviteCodeOf(string? invitationUrl)
    {
        if (invitationUrl is null || !Uri.TryCreate(invitationUrl, UriKind.Absolute, out var uri)) return null;
        foreach (var pair in uri.Query.TrimStart('?').Split('&'))
        {
            var parts = pair.Split('=', 2);
            if (parts.Length == 2 && parts[0] == "inviteCode") return Uri.UnescapeDataString(parts[1]);
        }
        return null;
    }

    sealed class Subscription(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
