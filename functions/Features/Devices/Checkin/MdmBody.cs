namespace ManagedDistribution.Features.Devices.Checkin;

/// <summary>Reads a device's request body up to a byte limit, refusing a larger one without reading it all.</summary>
static class MdmBody
{
    public static async Task<DeviceOutcome<byte[]>> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes) return TooLarge(maxBytes);
        var buffer = new byte[Math.Min(maxBytes + 1, (int?)request.ContentLength + 1 ?? 16 * 1024)];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > maxBytes) return TooLarge(maxBytes);
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, maxBytes + 1));
            }
            var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0) break;
            length += read;
        }
        if (length > maxBytes) return TooLarge(maxBytes);
        if (length == 0) return DeviceFailures.Invalid("The body is empty.");
        return buffer[..length];
    }

    static DeviceFailure TooLarge(int maxBytes) => DeviceFailures.Invalid($"BodyTooLarge: the body may not exceed {maxBytes} bytes.");
}
