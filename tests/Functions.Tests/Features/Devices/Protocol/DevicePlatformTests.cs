using ManagedDistribution.Features.Devices.Protocol;

namespace ManagedDistribution.Tests.Features.Devices.Protocol;

public class DevicePlatformTests
{
    [Theory]
    [InlineData("iPhone14,2", null, DevicePlatform.iOS)]
    [InlineData("iPod9,1", null, DevicePlatform.iOS)]
    [InlineData("iPad2,5", null, DevicePlatform.iPadOS)]
    [InlineData("iPad13,18", null, DevicePlatform.iPadOS)]
    [InlineData("iMac14,2", "iMac14,2", DevicePlatform.macOS)]
    [InlineData("MacBookPro18,3", null, DevicePlatform.macOS)]
    [InlineData("Mac14,2", null, DevicePlatform.macOS)]
    [InlineData("Macmini9,1", null, DevicePlatform.macOS)]
    [InlineData("VirtualMac2,1", null, DevicePlatform.macOS)]
    [InlineData(null, "MacPro7,1", DevicePlatform.macOS)]
    [InlineData("AppleTV11,1", null, DevicePlatform.tvOS)]
    [InlineData("RealityDevice14,1", null, DevicePlatform.visionOS)]
    [InlineData("Watch6,1", null, DevicePlatform.watchOS)]
    [InlineData("Toaster1,1", null, DevicePlatform.Unknown)]
    [InlineData("", "", DevicePlatform.Unknown)]
    [InlineData(null, null, DevicePlatform.Unknown)]
    public void Platform_from_product_name(string? productName, string? model, DevicePlatform expected) =>
        Assert.Equal(expected, DevicePlatforms.FromProduct(productName, model));

    [Theory]
    [InlineData("9.3.5", "9.3.5")]
    [InlineData("10.12.6", "10.12.6")]
    [InlineData("17", "17.0")]
    [InlineData("18.2.1.4", "18.2.1.4")]
    [InlineData("14.4 (23E214)", "14.4")]
    [InlineData(" 15.1", "15.1")]
    [InlineData("beta", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void OS_version_is_parsed_tolerantly(string? osVersion, string? expected) =>
        Assert.Equal(expected is null ? null : Version.Parse(expected), DevicePlatforms.ParseOSVersion(osVersion));
}
