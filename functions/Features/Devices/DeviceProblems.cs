using ManagedDistribution.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ManagedDistribution.Features.Devices;

/// <summary>
/// The one place a <see cref="DeviceFailure"/> becomes an HTTP status (STYLE.md habit 9), for the
/// admin API and the MDM endpoints alike. Device-facing statuses follow Apple's retry semantics:
/// 4xx other than 401 end the exchange; 401 makes a device keep its result and try again later.
/// </summary>
public static class DeviceProblems
{
    public static ProblemHttpResult ToProblem(DeviceFailure failure) => Problems.Result(failure.Error switch
    {
        DeviceError.NotFound => ProblemCodes.NotFound,
        DeviceError.NotEnrolled => ProblemCodes.NotEnrolled,
        DeviceError.UnknownUser => ProblemCodes.UnknownUser,
        DeviceError.InvalidMessage => ProblemCodes.InvalidMdmMessage,
        DeviceError.UnknownDevice => ProblemCodes.UnknownDevice,
        DeviceError.SignatureRequired => ProblemCodes.SignatureRequired,
        DeviceError.IdentityRefused => ProblemCodes.DeviceIdentityRefused,
        DeviceError.UnknownCommand => ProblemCodes.UnknownCommand,
        _ => ProblemCodes.Internal,
    }, failure.Detail);
}
