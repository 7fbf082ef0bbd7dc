using System.Net;
using System.Net.Sockets;

namespace SigmaFlow.Platform.Alerts.Safety;

/// <summary>What kind of network an address belongs to, for deciding whether alerts may be sent there.</summary>
public enum AddressKind
{
    /// <summary>A globally routable unicast address.</summary>
    Public,

    /// <summary>127.0.0.0/8, ::1.</summary>
    Loopback,

    /// <summary>RFC 1918 (10/8, 172.16/12, 192.168/16), unique local fc00::/7, deprecated site-local fec0::/10, local-use NAT64 64:ff9b:1::/48.</summary>
    Private,

    /// <summary>169.254/16, fe80::/10.</summary>
    LinkLocal,

    /// <summary>Shared address space for carrier-grade NAT, 100.64/10.</summary>
    CarrierGradeNat,

    /// <summary>0.0.0.0/8 ("this network"), ::.</summary>
    Unspecified,

    /// <summary>224/4, ff00::/8.</summary>
    Multicast,

    /// <summary>255.255.255.255.</summary>
    Broadcast,

    /// <summary>
    /// Cloud instance metadata and platform endpoints: 169.254.169.254 (Azure, AWS, GCP, …), 169.254.170.2 (AWS
    /// ECS), 168.63.129.16 (Azure's platform endpoint), 100.100.100.200 (Alibaba), 192.0.0.192 (Oracle),
    /// fd00:ec2::254 (AWS IPv6).
    /// </summary>
    Metadata,

    /// <summary>Not meant to be reached: documentation, benchmarking, IETF protocol assignments, 240/4, discard-only, Teredo, space outside 2000::/3.</summary>
    Reserved,
}

/// <summary>
/// Classifies IP addresses (pure). IPv6 forms that embed an IPv4 address — mapped (<c>::ffff:a.b.c.d</c>),
/// IPv4-compatible (<c>::a.b.c.d</c>), IPv4-translated (<c>::ffff:0:a.b.c.d</c>), NAT64 (<c>64:ff9b::/96</c>) and 6to4
/// (<c>2002::/16</c>) — are classified by the IPv4 address they lead to, so <c>::ffff:127.0.0.1</c> is loopback and
/// <c>64:ff9b::a9fe:a9fe</c> is the metadata address.
/// </summary>
public static class AddressClassifier
{
    private static readonly uint[] MetadataV4 =
    [
        V4(169, 254, 169, 254),
        V4(169, 254, 170, 2),
        V4(168, 63, 129, 16),
        V4(100, 100, 100, 200),
        V4(192, 0, 0, 192),
    ];

    private static readonly (uint Network, int Bits, AddressKind Kind)[] RangesV4 =
    [
        (V4(0, 0, 0, 0), 8, AddressKind.Unspecified),
        (V4(10, 0, 0, 0), 8, AddressKind.Private),
        (V4(100, 64, 0, 0), 10, AddressKind.CarrierGradeNat),
        (V4(127, 0, 0, 0), 8, AddressKind.Loopback),
        (V4(169, 254, 0, 0), 16, AddressKind.LinkLocal),
        (V4(172, 16, 0, 0), 12, AddressKind.Private),
        (V4(192, 0, 0, 0), 24, AddressKind.Reserved),
        (V4(192, 0, 2, 0), 24, AddressKind.Reserved),
        (V4(192, 88, 99, 0), 24, AddressKind.Reserved),
        (V4(192, 168, 0, 0), 16, AddressKind.Private),
        (V4(198, 18, 0, 0), 15, AddressKind.Reserved),
        (V4(198, 51, 100, 0), 24, AddressKind.Reserved),
        (V4(203, 0, 113, 0), 24, AddressKind.Reserved),
        (V4(224, 0, 0, 0), 4, AddressKind.Multicast),
        (V4(240, 0, 0, 0), 4, AddressKind.Reserved),
    ];

    /// <summary>Classifies an address.</summary>
    /// <param name="address">The address (any scope id is ignored).</param>
    /// <returns>Its kind.</returns>
    public static AddressKind Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => ClassifyV4(ToUInt32(address.GetAddressBytes())),
            AddressFamily.InterNetworkV6 => ClassifyV6(address.GetAddressBytes()),
            _ => AddressKind.Reserved,
        };
    }

    /// <summary>The IPv4 address an IPv6 address leads to (mapped, compatible, translated, NAT64, 6to4), or null.</summary>
    /// <param name="address">An IPv6 address.</param>
    /// <returns>The embedded IPv4 address, or null when there is none.</returns>
    public static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        var b = address.GetAddressBytes();
        return Embedded(b) is { } v4 ? new IPAddress([(byte)(v4 >> 24), (byte)(v4 >> 16), (byte)(v4 >> 8), (byte)v4]) : null;
    }

    private static AddressKind ClassifyV4(uint value)
    {
        if (value == uint.MaxValue)
        {
            return AddressKind.Broadcast;
        }

        foreach (var metadata in MetadataV4)
        {
            if (value == metadata)
            {
                return AddressKind.Metadata;
            }
        }

        foreach (var (network, bits, kind) in RangesV4)
        {
            var mask = uint.MaxValue << (32 - bits);
            if ((value & mask) == network)
            {
                return kind;
            }
        }

        return AddressKind.Public;
    }

    private static AddressKind ClassifyV6(byte[] b)
    {
        if (b.AsSpan(0, 15).IndexOfAnyExcept((byte)0) < 0)
        {
            return b[15] switch
            {
                0 => AddressKind.Unspecified,
                1 => AddressKind.Loopback,
                _ => AddressKind.Reserved,
            };
        }

        if (Embedded(b) is { } v4)
        {
            return ClassifyV4(v4);
        }

        // fd00:ec2::254, AWS's metadata endpoint over IPv6.
        if (b[0] == 0xfd && b[1] == 0x00 && b[2] == 0x0e && b[3] == 0xc2 && b.AsSpan(4, 10).IndexOfAnyExcept((byte)0) < 0 && b[14] == 0x02 && b[15] == 0x54)
        {
            return AddressKind.Metadata;
        }

        if (b[0] == 0xff)
        {
            return AddressKind.Multicast;
        }

        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        {
            return AddressKind.LinkLocal;
        }

        if ((b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) || (b[0] & 0xfe) == 0xfc)
        {
            return AddressKind.Private;
        }

        // 64:ff9b:1::/48, local-use NAT64 (RFC 8215).
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0x00 && b[5] == 0x01)
        {
            return AddressKind.Private;
        }

        // 2001::/32 Teredo (tunnels to any IPv4 address), 2001:db8::/32 documentation, 100::/64 discard-only.
        if ((b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00)
            || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
            || (b[0] == 0x01 && b[1] == 0x00 && b.AsSpan(2, 6).IndexOfAnyExcept((byte)0) < 0))
        {
            return AddressKind.Reserved;
        }

        // Global unicast is 2000::/3; the rest of the space is not assigned for use.
        return (b[0] & 0xe0) == 0x20 ? AddressKind.Public : AddressKind.Reserved;
    }

    /// <summary>The IPv4 address embedded in an IPv6 address of a form that leads to it, or null.</summary>
    private static uint? Embedded(byte[] b)
    {
        var zero80 = b.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0;

        // ::ffff:a.b.c.d (mapped)
        if (zero80 && b[10] == 0xff && b[11] == 0xff)
        {
            return ToUInt32(b.AsSpan(12, 4));
        }

        // ::a.b.c.d (IPv4-compatible, deprecated), except :: and ::1 which the caller handled.
        if (zero80 && b[10] == 0 && b[11] == 0)
        {
            return ToUInt32(b.AsSpan(12, 4));
        }

        // ::ffff:0:a.b.c.d (IPv4-translated, RFC 2765)
        if (b.AsSpan(0, 8).IndexOfAnyExcept((byte)0) < 0 && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
        {
            return ToUInt32(b.AsSpan(12, 4));
        }

        // 64:ff9b::/96 (NAT64 well-known prefix)
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            return ToUInt32(b.AsSpan(12, 4));
        }

        // 2002:a.b.c.d::/48 (6to4)
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return ToUInt32(b.AsSpan(2, 4));
        }

        return null;
    }

    private static uint ToUInt32(ReadOnlySpan<byte> b) => ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];

    private static uint V4(byte a, byte b, byte c, byte d) => ((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | d;
}
