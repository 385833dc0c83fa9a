namespace ManagedDistribution.Platform.Http;

/// <summary>
/// One entry of the problem catalog: a stable <see cref="Code"/> clients can switch on, the HTTP
/// status it is normally sent with, and a short human title. The RFC 9457 <c>type</c> URI is
/// derived from the code (<see cref="ProblemCodes.TypeBase"/> + code).
/// See https://www.rfc-editor.org/rfc/rfc9457.
/// </summary>
public sealed record ProblemType(string Code, int Status, string Title)
{
    public string TypeUri => ProblemCodes.TypeBase + Code;
}
