using ManagedDistribution.Platform.Http;
using ManagedDistribution.Platform.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ManagedDistribution.Features.Directory;

/// <summary>
/// <c>POST /api/users/import</c>: upserts up to 100,000 users by id. Each row is validated on its
/// own; valid rows are compared with the stored users (read in bulk) and only real changes are
/// written, as 100-row transactions in parallel (each to its bucket's table), so re-running an import reports everything
/// unchanged. A transaction that loses a race is redone row by row.
/// </summary>
public sealed class UserImport(DirectoryTables tables, UserStore users, TimeProvider time)
{
    public static readonly string[] Columns = ["id", "shortName", "fullName", "email", "managedAppleId", "preferredLanguage"];
    static readonly string[] Required = ["id", "shortName", "fullName"];

    public async Task<ImportResult> RunAsync(IReadOnlyList<ImportRow> rows, CancellationToken cancellationToken)
    {
        var errors = new List<ImportError>();
        var valid = new List<(int Row, UserFields User)>();
        var firstRowOfId = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.Problem is not null) { errors.Add(new(row.Row, row["id"], [row.Problem])); continue; }
            var (user, fieldErrors) = UserRules.Validate(
                new UserInput(row["id"], row["shortName"], row["fullName"], row["email"], row["managedAppleId"], row["preferredLanguage"]), requireId: true);
            if (user is null) { errors.Add(new(row.Row, row["id"], ImportResults.Reasons(fieldErrors))); continue; }
            if (!firstRowOfId.TryAdd(user.Id, row.Row)) { errors.Add(new(row.Row, user.Id, [$"The id also appears on row {firstRowOfId[user.Id]}; each user once per import."])); continue; }
            valid.Add((row.Row, user));
        }

        var existing = await users.ReadManyAsync(firstRowOfId.Keys, null, cancellationToken);
        var outcomes = new WriteOutcome[valid.Count];
        var actions = new List<TableTransactionAction>();
        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        for (var i = 0; i < valid.Count; i++)
        {
            var user = valid[i].User;
            indexOf[user.Id] = i;
            var stored = existing.GetValueOrDefault(user.Id);
            if (stored is not null && UserEntity.HasSameFields(stored, user)) { outcomes[i] = WriteOutcome.Unchanged; continue; }
            outcomes[i] = stored is null ? WriteOutcome.Created : WriteOutcome.Updated;
            actions.Add(stored is null
                ? new(TableTransactionActionType.Add, UserEntity.Apply(null, user, now))
                : new(TableTransactionActionType.UpdateReplace, UserEntity.Apply(stored, user, now), stored.ETag));
        }

        await tables.Users.SubmitAsync(actions, _ => async (batch, _, token) =>
        {
            // Someone created or changed one of these users meanwhile: redo each row on its own.
            foreach (var action in batch)
            {
                var i = indexOf[action.Entity.RowKey];
                outcomes[i] = (await users.PutAsync(valid[i].User, null, false, token)).Outcome;
            }
        }, cancellationToken);

        for (var i = 0; i < valid.Count; i++)
            if (outcomes[i] is not (WriteOutcome.Created or WriteOutcome.Updated or WriteOutcome.Unchanged))
                errors.Add(new(valid[i].Row, valid[i].User.Id, ["The user kept changing during the import; import it again."]));
        return ImportResults.From(outcomes.Count(o => o == WriteOutcome.Created), outcomes.Count(o => o == WriteOutcome.Updated),
            outcomes.Count(o => o == WriteOutcome.Unchanged), errors);
    }

    public static async Task<Results<Ok<ImportResult>, ProblemHttpResult>> HandleAsync(HttpRequest request, UserImport import, CancellationToken cancellationToken)
    {
        IReadOnlyList<ImportRow> rows;
        try
        {
            rows = await ImportBody.ReadAsync(request, Columns, Required, ImportResults.MaxRows, cancellationToken);
        }
        catch (ImportBodyException e)
        {
            return Problems.Result(e.Type, e.Message);
        }
        return TypedResults.Ok(await import.RunAsync(rows, cancellationToken));
    }
}

public static class UserImportEndpoint
{
    public static RouteHandlerBuilder MapUserImport(this RouteGroupBuilder users) =>
        users.MapPost("/import", UserImport.HandleAsync)
            .WithName("ImportUsers")
            .WithSummary("Upserts up to 100,000 users by id from a JSON array or CSV (header: id,shortName,fullName,email,managedAppleId,preferredLanguage, any order). Idempotent; answers counts and the reasons for rejected rows.")
            .Accepts<UserInput[]>("application/json", "text/csv")
            .WithMetadata(new RequestSizeLimitAttribute(ImportBody.MaxBytes))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
}
