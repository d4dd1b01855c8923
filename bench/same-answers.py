#!/usr/bin/env python3
"""Do two running servers answer every name of a lab registry alike?

Asks both servers, over UDP on 127.0.0.1, every RRset of the lab's zone files
(data/n<N>/cluster.local.zone and 10.in-addr.arpa.zone) by its own type, plus A and AAAA of
every alias, A of every SRV name and SRV of every address name; each question with EDNS
(4096 octets) and without it (512: answers cut at an RRset boundary). The replies are compared octet by octet after the
message ID, with each section's records taken as a set: the order of a rotated address set
may differ, nothing else. For checking that a change to how answers are built (two builds
of clusterdns on copies of one store) changed no answer.

usage: bench/same-answers.py PORT_A PORT_B -n 10000 [--lab ../shared/bench]
Prints the first differences and `SAME questions=... different=...`; exits 1 if any differ.
"""
import argparse
import os
import socket
import struct
import sys

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "TXT": 16, "AAAA": 28, "SRV": 33}


def questions(lab, n):
    rrsets = set()
    for zone in ("cluster.local.zone", "10.in-addr.arpa.zone"):
        with open(os.path.join(lab, "data", f"n{n}", zone)) as lines:
            for line in lines:
                fields = line.split(";")[0].split()
                if len(fields) >= 4 and not line.startswith("$") and fields[3] in TYPES:
                    rrsets.add((fields[0].lower(), fields[3]))
    asked = set(rrsets)
    for name, rtype in rrsets:
        if rtype == "CNAME":
            asked |= {(name, "A"), (name, "AAAA")}
        if rtype == "SRV":
            asked.add((name, "A"))
        if rtype == "A":
            # A service's own name answers SRV with a record per port (its endpoints' names
            # for a headless service); other names of the zone have NODATA.
            asked.add((name, "SRV"))
    return sorted(asked)


def wire(name):
    return b"".join(bytes([len(label)]) + label.encode() for label in name.rstrip(".").split(".")) + b"\0"


def name_end(message, offset):
    while True:
        length = message[offset]
        if length == 0:
            return offset + 1
        if length >= 0xC0:
            return offset + 2
        offset += 1 + length


def sections(message):
    """Header, each section's records as a sorted list, and whatever follows them."""
    counts = struct.unpack(">HHHH", message[4:12])
    offset = 12
    for _ in range(counts[0]):
        offset = name_end(message, offset) + 4
    parts = []
    for count in counts[1:]:
        records = []
        for _ in range(count):
            end = name_end(message, offset)
            rdlength = struct.unpack(">H", message[end + 8:end + 10])[0]
            records.append(message[offset:end + 10 + rdlength])
            offset = end + 10 + rdlength
        parts.append(sorted(records))
    return message[2:12], parts, message[offset:]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("port_a", type=int)
    parser.add_argument("port_b", type=int)
    parser.add_argument("-n", type=int, required=True, help="lab size: data/n<N>")
    parser.add_argument("--lab", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench"))
    arguments = parser.parse_args()
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.settimeout(2)
    asked = different = 0
    for number, (name, rtype) in enumerate(questions(arguments.lab, arguments.n)):
        question = struct.pack(">HHHHHH", number & 0xFFFF, 0x0100, 1, 0, 0, 0) + wire(name) + struct.pack(">HH", TYPES[rtype], 1)
        edns = question[:10] + b"\0\1" + question[12:] + b"\0\0\x29\x10\x00\0\0\0\0\0\0"
        for message in (edns, question):
            replies = []
            for port in (arguments.port_a, arguments.port_b):
                client.sendto(message, ("127.0.0.1", port))
                replies.append(client.recv(65535))
            asked += 1
            if replies[0][2:] != replies[1][2:] and sections(replies[0]) != sections(replies[1]):
                different += 1
                if different <= 5:
                    print(f"DIFFERENT {name} {rtype}\n  {replies[0].hex()}\n  {replies[1].hex()}")
    print(f"SAME questions={asked} different={different}")
    return 1 if different else 0


if __name__ == "__main__":
    sys.exit(main())
