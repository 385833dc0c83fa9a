using System.Text.Json;
using System.Text.Json.Nodes;

namespace ManagedDistribution.AppleEmulator.AppsAndBooks;

/// <summary>
/// Server-side pages: zero-based <c>pageIndex</c>, <c>nextPageIndex</c> only when another page
/// exists, 9650 for an index past the end, and the location's current <c>versionId</c>.
/// </summary>
internal static class Paging
{
    public static JsonObject Page<T>(EmulatedLocation location, IReadOnlyList<T> rows, HttpContext context, int pageSize, string arrayName)
    {
        var text = context.Text("pageIndex");
        var index = 0;
        if (text is not null && (!int.TryParse(text, out index) || index < 0)) throw new AppleErrorException(9650);
        pageSize = Math.Max(1, pageSize);
        var totalPages = (rows.Count + pageSize - 1) / pageSize;
        if (index > 0 && index >= totalPages) throw new AppleErrorException(9650);
        var page = rows.Skip(index * pageSize).Take(pageSize).ToList();
        JsonObject json;
        lock (location.Sync)
        {
            json = location.Envelope();
            json["versionId"] = location.VersionId;
        }
        json["currentPageIndex"] = index;
        if (index + 1 < totalPages) json["nextPageIndex"] = index + 1;
        json["size"] = page.Count;
        json["totalPages"] = totalPages;
        json[arrayName] = JsonSerializer.SerializeToNode(page, WireJson.Options);
        return json;
    }
}
