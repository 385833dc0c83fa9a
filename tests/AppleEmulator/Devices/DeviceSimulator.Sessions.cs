using ManagedDistribution.AppleEmulator.Apns;

namespace ManagedDistribution.AppleEmulator.Devices;

// Pushes and command sessions (apple.md §3.4): push → PUT Idle → command → answer → … → empty body.
public sealed partial class DeviceSimulator
{
    /// <summary>Connects the channel now, as after a push; completes when its session(s) end.</summary>
    public async Task ConnectAsync(SimulatedChannel channel)
    {
        if (channel.TryBeginSession()) await TrackAsync(() => RunSessionsAsync(channel));
    }

    void OnPushDelivered(DeliveredPush push)
    {
        if (!channelsByToken.TryGetValue(push.DeviceToken, out var channel)) return;
        // A device only acts on pushes for its enrolment's topic and current push magic.
        if (push.Topic != channel.Device.Topic || push.PushMagic != channel.PushMagic)
        {
            Counters.CountIgnoredPush();
            return;
        }
        Counters.CountPush();
        channel.CountPush();
        RequestConnect(channel);
    }

    void RequestConnect(SimulatedChannel channel)
    {
        // Called on the APNs request thread: hand off at once.
        if (channel.TryBeginSession()) _ = Task.Run(() => TrackAsync(() => RunSessionsAsync(channel)));
    }

    async Task TrackAsync(Func<Task> work)
    {
        Interlocked.Increment(ref activeTasks);
        try { await work(); }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
        finally { Interlocked.Decrement(ref activeTasks); }
    }

    async Task RunSessionsAsync(SimulatedChannel channel)
    {
        var cancellationToken = stopping.Token;
        do
        {
            await connections.WaitAsync(cancellationToken);
            try
            {
                if (await RunSessionAsync(channel, cancellationToken)) ScheduleReconnect(channel);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                Counters.CountConnectFailure();
                Fail(channel.Device, "connect", e.Message);
            }
            finally
            {
                connections.Release();
            }
        } while (channel.EndSessionOrContinue());
    }

    /// <summary>One session; true when the device answered NotNow and so will connect again by itself.</summary>
    async Task<bool> RunSessionAsync(SimulatedChannel channel, CancellationToken cancellationToken)
    {
        Counters.CountSession();
        var answer = channel.PendingReport;
        channel.PendingReport = null;
        var sawNotNow = false;
        for (var exchanges = 0; ; exchanges++)
        {
            var reply = await Transport.PutAsync(MdmEndpoint.Connect, answer?.Body ?? MdmMessages.Idle(channel), channel.Device.Identity, cancellationToken);
            if (!reply.IsSuccess)
            {
                // The device keeps a result the server did not take and reports it again next time.
                channel.PendingReport = answer;
                Counters.CountConnectFailure();
                Fail(channel.Device, "connect", reply.Describe());
                return sawNotNow;
            }
            if (answer is not null)
            {
                Accepted(channel, answer);
                sawNotNow |= answer.Status == "NotNow";
            }
            if (reply.Body.Length == 0 || exchanges >= Options.MaxCommandsPerSession) return sawNotNow;
            answer = Responder.Answer(channel, reply.Body);
            if (answer is null)
            {
                Counters.CountUnreadable();
                Fail(channel.Device, "connect", "the server's answer is not a command plist");
                return sawNotNow;
            }
        }
    }

    void Accepted(SimulatedChannel channel, CommandAnswer answer)
    {
        var requestType = answer.RequestType.Length == 0 ? "(unreadable)" : answer.RequestType;
        Counters.CountCommand(requestType, answer.Status);
        channel.Record(new HandledCommand(answer.CommandUuid, requestType, answer.Status, timeProvider.GetUtcNow()));
        DeviceSimulatorLog.Answered(logger, channel.ToString(), requestType, answer.CommandUuid, answer.Status);
        CommandAnswered?.Invoke(channel, answer);
    }

    /// <summary>Apple: after NotNow the device polls again by itself when conditions change; here, after a delay.</summary>
    void ScheduleReconnect(SimulatedChannel channel) => _ = TrackAsync(async () =>
    {
        await Task.Delay(Options.NotNowRetryDelay, timeProvider, stopping.Token);
        if (channelsByToken.ContainsKey(channel.TokenHex)) RequestConnect(channel);
    });
}
