"""Derives other framings of the real capture http-ipv4.pcap (called by record.sh): the same packets as
big-endian raw IP, BSD loopback (null), 802.1Q-tagged Ethernet, and the file with its last record cut short.
Only the link-layer framing changes; IP/TCP headers and payloads stay the recorded bytes."""
import struct
import sys

out = sys.argv[1]


def read_pcap(path):
    data = open(path, "rb").read()
    magic, vmaj, vmin, tz, sig, snap, link = struct.unpack("<IHHiIII", data[:24])
    assert magic == 0xA1B2C3D4 and link == 1, "expected a little-endian microsecond Ethernet pcap"
    pos, records = 24, []
    while pos + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[pos:pos + 16])
        records.append((sec, usec, orig, data[pos + 16:pos + 16 + incl]))
        pos += 16 + incl
    return snap, records


def write_pcap(path, endian, snap, link, records):
    with open(path, "wb") as f:
        f.write(struct.pack(endian + "IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snap, link))
        for sec, usec, orig, frame in records:
            f.write(struct.pack(endian + "IIII", sec, usec, len(frame), orig) + frame)


snap, records = read_pcap(out + "/http-ipv4.pcap")
# LINKTYPE_RAW (101): the IP packet only, big-endian file
write_pcap(out + "/http-ipv4-raw-be.pcap", ">", snap, 101,
           [(s, u, o - 14, fr[14:]) for s, u, o, fr in records])
# LINKTYPE_NULL (0): 4-byte address family in the writer's byte order (AF_INET = 2)
write_pcap(out + "/http-ipv4-null.pcap", "<", snap, 0,
           [(s, u, o - 10, struct.pack("<I", 2) + fr[14:]) for s, u, o, fr in records])
# Ethernet with an 802.1Q tag (VLAN 42) between the MAC addresses and the IPv4 ethertype
write_pcap(out + "/http-ipv4-vlan.pcap", "<", snap, 1,
           [(s, u, o + 4, fr[:12] + struct.pack(">HH", 0x8100, 42) + fr[12:]) for s, u, o, fr in records])
# the last record cut in the middle of its bytes, as when tcpdump is killed mid-write
whole = open(out + "/http-ipv4.pcap", "rb").read()
last_len = len(records[-1][3])
open(out + "/http-ipv4-truncated.pcap", "wb").write(whole[:len(whole) - last_len // 2 - 1])
