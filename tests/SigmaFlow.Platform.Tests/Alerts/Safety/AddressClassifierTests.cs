using System.Net;
using SigmaFlow.Platform.Alerts.Safety;

namespace SigmaFlow.Platform.Tests.Alerts.Safety;

/// <summary>Address classification over IPv4, IPv6 and every IPv6 form that embeds an IPv4 address.</summary>
public sealed class AddressClassifierTests
{
    [Theory]
    // IPv4
    [InlineData("8.8.8.8", AddressKind.Public)]
    [InlineData("1.1.1.1", AddressKind.Public)]
    [InlineData("93.184.215.14", AddressKind.Public)]
    [InlineData("162.159.135.232", AddressKind.Public)]
    [InlineData("0.0.0.0", AddressKind.Unspecified)]
    [InlineData("0.1.2.3", AddressKind.Unspecified)]
    [InlineData("10.0.0.1", AddressKind.Private)]
    [InlineData("10.255.255.255", AddressKind.Private)]
    [InlineData("11.0.0.1", AddressKind.Public)]
    [InlineData("100.63.255.255", AddressKind.Public)]
    [InlineData("100.64.0.0", AddressKind.CarrierGradeNat)]
    [InlineData("100.127.255.255", AddressKind.CarrierGradeNat)]
    [InlineData("100.128.0.0", AddressKind.Public)]
    [InlineData("100.100.100.200", AddressKind.Metadata)]
    [InlineData("127.0.0.1", AddressKind.Loopback)]
    [InlineData("127.255.255.254", AddressKind.Loopback)]
    [InlineData("169.254.0.1", AddressKind.LinkLocal)]
    [InlineData("169.254.169.254", AddressKind.Metadata)]
    [InlineData("169.254.170.2", AddressKind.Metadata)]
    [InlineData("168.63.129.16", AddressKind.Metadata)]
    [InlineData("168.63.129.17", AddressKind.Public)]
    [InlineData("172.15.255.255", AddressKind.Public)]
    [InlineData("172.16.0.0", AddressKind.Private)]
    [InlineData("172.31.255.255", AddressKind.Private)]
    [InlineData("172.32.0.0", AddressKind.Public)]
    [InlineData("192.0.0.8", AddressKind.Reserved)]
    [InlineData("192.0.0.192", AddressKind.Metadata)]
    [InlineData("192.0.2.10", AddressKind.Reserved)]
    [InlineData("192.88.99.1", AddressKind.Reserved)]
    [InlineData("192.167.255.255", AddressKind.Public)]
    [InlineData("192.168.0.1", AddressKind.Private)]
    [InlineData("192.168.255.255", AddressKind.Private)]
    [InlineData("198.17.255.255", AddressKind.Public)]
    [InlineData("198.18.0.1", AddressKind.Reserved)]
    [InlineData("198.19.255.255", AddressKind.Reserved)]
    [InlineData("198.51.100.7", AddressKind.Reserved)]
    [InlineData("203.0.113.5", AddressKind.Reserved)]
    [InlineData("223.255.255.255", AddressKind.Public)]
    [InlineData("224.0.0.1", AddressKind.Multicast)]
    [InlineData("239.255.255.250", AddressKind.Multicast)]
    [InlineData("240.0.0.1", AddressKind.Reserved)]
    [InlineData("255.255.255.254", AddressKind.Reserved)]
    [InlineData("255.255.255.255", AddressKind.Broadcast)]
    // IPv6
    [InlineData("::", AddressKind.Unspecified)]
    [InlineData("::1", AddressKind.Loopback)]
    [InlineData("2001:4860:4860::8888", AddressKind.Public)]
    [InlineData("2606:4700:4700::1111", AddressKind.Public)]
    [InlineData("2a00:1450:4001:80b::200e", AddressKind.Public)]
    [InlineData("fc00::1", AddressKind.Private)]
    [InlineData("fd12:3456:789a::1", AddressKind.Private)]
    [InlineData("fd00:ec2::254", AddressKind.Metadata)]
    [InlineData("fd00:ec2::253", AddressKind.Private)]
    [InlineData("fe80::1", AddressKind.LinkLocal)]
    [InlineData("fe80::1%2", AddressKind.LinkLocal)]
    [InlineData("febf:ffff::1", AddressKind.LinkLocal)]
    [InlineData("fec0::1", AddressKind.Private)]
    [InlineData("ff02::1", AddressKind.Multicast)]
    [InlineData("ff05::1:3", AddressKind.Multicast)]
    [InlineData("2001:db8::1", AddressKind.Reserved)]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", AddressKind.Reserved)]
    [InlineData("100::1", AddressKind.Reserved)]
    [InlineData("64:ff9b:1::1", AddressKind.Private)]
    [InlineData("4000::1", AddressKind.Reserved)]
    [InlineData("::2", AddressKind.Reserved)]
    // IPv4 inside IPv6: mapped, compatible, translated, NAT64, 6to4
    [InlineData("::ffff:127.0.0.1", AddressKind.Loopback)]
    [InlineData("::ffff:7f00:1", AddressKind.Loopback)]
    [InlineData("::ffff:10.1.2.3", AddressKind.Private)]
    [InlineData("::ffff:169.254.169.254", AddressKind.Metadata)]
    [InlineData("::ffff:a9fe:a9fe", AddressKind.Metadata)]
    [InlineData("::ffff:192.168.1.1", AddressKind.Private)]
    [InlineData("::ffff:100.64.0.1", AddressKind.CarrierGradeNat)]
    [InlineData("::ffff:0.0.0.0", AddressKind.Unspecified)]
    [InlineData("::ffff:8.8.8.8", AddressKind.Public)]
    [InlineData("::127.0.0.1", AddressKind.Loopback)]
    [InlineData("::10.0.0.1", AddressKind.Private)]
    [InlineData("::ffff:0:127.0.0.1", AddressKind.Loopback)]
    [InlineData("::ffff:0:8.8.4.4", AddressKind.Public)]
    [InlineData("64:ff9b::127.0.0.1", AddressKind.Loopback)]
    [InlineData("64:ff9b::a9fe:a9fe", AddressKind.Metadata)]
    [InlineData("64:ff9b::808:808", AddressKind.Public)]
    [InlineData("2002:7f00:1::1", AddressKind.Loopback)]
    [InlineData("2002:a9fe:a9fe::", AddressKind.Metadata)]
    [InlineData("2002:c0a8:101::1", AddressKind.Private)]
    [InlineData("2002:808:808::1", AddressKind.Public)]
    public void Classify_Address_GivesItsKind(string address, AddressKind expected)
    {
        Assert.Equal(expected, AddressClassifier.Classify(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("::ffff:127.0.0.1", "127.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe", "169.254.169.254")]
    [InlineData("2002:c0a8:101::", "192.168.1.1")]
    [InlineData("::ffff:0:10.0.0.1", "10.0.0.1")]
    [InlineData("2001:4860:4860::8888", null)]
    [InlineData("127.0.0.1", null)]
    public void EmbeddedIPv4_GivesTheAddressAnIPv6FormLeadsTo(string address, string? expected)
    {
        Assert.Equal(expected, AddressClassifier.EmbeddedIPv4(IPAddress.Parse(address))?.ToString());
    }

    [Fact]
    public void Classify_MappedForms_AgreeWithTheirIPv4ForEveryCommonKind()
    {
        foreach (var v4 in new[] { "127.0.0.1", "10.2.3.4", "172.20.0.1", "192.168.9.9", "169.254.1.1", "169.254.169.254", "100.64.1.1", "224.1.1.1", "8.8.8.8", "0.0.0.0" })
        {
            var address = IPAddress.Parse(v4);
            Assert.Equal(AddressClassifier.Classify(address), AddressClassifier.Classify(address.MapToIPv6()));
        }
    }
}
