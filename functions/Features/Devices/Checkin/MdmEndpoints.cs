using System.Text;
using ManagedDistribution.Features.Devices.Identity;
using ManagedDistribution.Features.Devices.Protocol;
using Microsoft.Extensions.Options;

namespace ManagedDistribution.Features.Devices.Checkin;

/// <summary>
/// The device-facing endpoints, outside <c>/api</c> and anonymous at the auth layer: a device
/// proves itself with <c>Mdm-Signature</c> instead (<see cref="DeviceIdentity"/>). Each handler
/// reads the body, checks the signature, parses, calls its service and maps the outcome through
/// <see cref="DeviceProblems"/>. Check-in answers an empty 200; connect answers the next command
/// plist or an empty 200 (zero bytes, not an empty plist: Apple's end-of-session signal).
/// </summary>
public static class MdmEndpoints
{
    public const string CommandContentType = "application/xml; charset=utf-8";

    public static IEndpointRouteBuilder MapMdm(this IEndpointRouteBuilder endpoints)
    {
        // Plist bodies, not part of the admin API's OpenAPI document.
        var group = endpoints.MapGroup("/mdm").AllowAnonymous().ExcludeFromDescription();
        group.MapPut("/checkin", CheckinAsync);
        group.MapPut("/connect", ConnectAsync);
        return endpoints;
    }

    static async Task<IResult> CheckinAsync(HttpRequest request, DeviceIdentity identity, CheckinService service,
        IOptions<MdmOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxMessageBytes;
        var body = await MdmBody.ReadAsync(request, max, cancellationToken);
        if (!body.Succeeded) return DeviceProblems.ToProblem(body.Failure);
        var signer = identity.Verify(request.Headers[MdmSignature.HeaderName], body.Value);
        if (!signer.Succeeded) return DeviceProblems.ToProblem(signer.Failure);
        var message = CheckinMessage.Parse(body.Value, max);
        if (!message.Succeeded) return Declined(loggers, "checkin", message.Error);
        var outcome = await service.HandleAsync(message.Value, signer.Value!, cancellationToken);
        return outcome.Succeeded ? TypedResults.Ok() : DeviceProblems.ToProblem(outcome.Failure);
    }

    static async Task<IResult> ConnectAsync(HttpRequest request, DeviceIdentity identity, ConnectService service,
        IOptions<MdmOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxMessageBytes;
        var body = await MdmBody.ReadAsync(request, max, cancellationToken);
        if (!body.Succeeded) return DeviceProblems.ToProblem(body.Failure);
        var signer = identity.Verify(request.Headers[MdmSignature.HeaderName], body.Value);
        if (!signer.Succeeded) return DeviceProblems.ToProblem(signer.Failure);
        var report = CommandReport.Parse(body.Value, max);
        if (!report.Succeeded) return Declined(loggers, "connect", report.Error);
        var outcome = await service.HandleAsync(report.Value, Encoding.UTF8.GetString(body.Value), signer.Value!, cancellationToken);
        if (!outcome.Succeeded) return DeviceProblems.ToProblem(outcome.Failure);
        return outcome.Value!.CommandPlist is { } plist
            ? TypedResults.Bytes(Encoding.UTF8.GetBytes(plist), CommandContentType)
            : TypedResults.Ok();
    }

    /// <summary>Logs the parse error's code and detail (never the body: it may carry tokens) and answers 400.</summary>
    static IResult Declined(ILoggerFactory loggers, string endpoint, MdmParseError error)
    {
        loggers.CreateLogger(typeof(MdmEndpoints)).LogWarning("Declined {Endpoint} message: {ParseError} {Key} {Value}",
            endpoint, error.Code, error.Key, error.Value);
        return DeviceProblems.ToProblem(DeviceFailures.Invalid($"{error.Code}: {error.Detail}"));
    }
}
