#!/usr/bin/env python3
"""Verify an Airlock receipt with nothing but doc/SPEC.md, Python's standard
library and the openssl command (for Ed25519).

    verify_receipt.py ISSUER.pub RECEIPT [--now 2026-11-23T11:05:00Z]

RECEIPT may be armored text, Base45 text (AL1:...) or binary. Prints the
receipt's fields as JSON and exits 0 when every check of SPEC §5.1 passes
(a single trusted key, no retirement); exits 1 with the reason otherwise.
"""
import base64, datetime, hashlib, json, os, subprocess, sys, tempfile

TYPES = {4: "activation-receipt", 5: "refresh-receipt", 6: "deactivation-receipt", 7: "revocation-receipt"}
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


class Refused(Exception):
    pass


def read_message(data: bytes) -> bytes:
    """The three transport forms of SPEC §8."""
    if data[:2] == b"\xd2\x84":
        return data
    text = data.decode().strip().replace("\r\n", "\n")
    if text.startswith("-----BEGIN AIRLOCK "):
        lines = text.split("\n")
        return base64.b64decode("".join(lines[1:-1]), validate=True)
    if text.startswith("AL1:"):
        s, out = text[4:], bytearray()
        for i in range(0, len(s), 3):
            chunk = [B45.index(c) for c in s[i:i + 3]]
            n = sum(v * 45 ** k for k, v in enumerate(chunk))
            out += n.to_bytes(2 if len(chunk) == 3 else 1, "big")
        return bytes(out)
    raise Refused("not an airlock message")


class CBOR:
    """Just enough CBOR for Airlock messages (SPEC §2): unsigned and negative
    integers, byte and text strings, arrays, maps, true; definite lengths."""

    def __init__(self, b: bytes):
        self.b, self.i = b, 0

    def head(self):
        ib = self.b[self.i]
        self.i += 1
        major, ai = ib >> 5, ib & 0x1F
        if ai < 24:
            return major, ai
        size = {24: 1, 25: 2, 26: 4, 27: 8}.get(ai)
        if size is None:
            raise Refused("indefinite length or reserved value")
        n = int.from_bytes(self.b[self.i:self.i + size], "big")
        self.i += size
        return major, n

    def item(self):
        major, n = self.head()
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major in (2, 3):
            s = self.b[self.i:self.i + n]
            self.i += n
            return bytes(s) if major == 2 else s.decode()
        if major == 4:
            return [self.item() for _ in range(n)]
        if major == 5:
            m = {}
            for _ in range(n):
                k = self.item()
                if k in m:
                    raise Refused("duplicate map key")
                m[k] = self.item()
            return m
        if major == 7 and n == 21:
            return True
        raise Refused("unexpected CBOR item")


def bstr(b: bytes) -> bytes:
    n = len(b)
    if n < 24:
        return bytes([0x40 | n]) + b
    if n < 256:
        return bytes([0x58, n]) + b
    return bytes([0x59]) + n.to_bytes(2, "big") + b


def verify(pub_pem: str, msg: bytes, now: datetime.datetime) -> dict:
    if len(msg) > 65536:
        raise Refused("oversize")
    if msg[:2] != b"\xd2\x84":
        raise Refused("not a tagged COSE_Sign1")
    c = CBOR(msg[1:])
    protected, unprotected, payload, sig = c.item()
    if c.i != len(msg) - 1:
        raise Refused("trailing data")
    header = CBOR(protected).item()
    if header.get(1) != -8 or len(header.get(4, b"")) != 4 or unprotected != {}:
        raise Refused("protected header must be {1: -8, 4: kid}, unprotected {}")
    fields = CBOR(payload).item()
    if fields.get(1) not in TYPES or fields.get(2) != 1:
        raise Refused("not a version-1 receipt")
    label = "airlock/%s/v1" % TYPES[fields[1]]

    # SPEC §6.2: the kid must match the trusted key.
    der = base64.b64decode("".join(l for l in pub_pem.splitlines() if not l.startswith("-----")))
    raw_pub = der[-32:]
    if hashlib.sha256(b"Ed25519" + raw_pub).digest()[:4] != header[4]:
        raise Refused("unknown key: kid %s is not the given issuer key" % header[4].hex())

    # SPEC §3.1: the Sig_structure, verified with OpenSSL.
    tbs = b"\x84\x6aSignature1" + bstr(protected) + bstr(label.encode()) + bstr(payload)
    with tempfile.TemporaryDirectory() as d:
        paths = {n: os.path.join(d, n) for n in ("key", "tbs", "sig")}
        for n, data in (("key", pub_pem.encode()), ("tbs", tbs), ("sig", sig)):
            with open(paths[n], "wb") as f:
                f.write(data)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", paths["key"],
                            "-rawin", "-in", paths["tbs"], "-sigfile", paths["sig"]], capture_output=True)
        if r.returncode != 0:
            raise Refused("bad signature")

    issued = fields[14]
    not_before, expires = fields.get(15, issued), fields[16]
    t = int(now.timestamp())
    if fields[1] in (4, 5) and not (not_before <= t < expires):
        raise Refused("expired" if t >= expires else "not yet valid")
    return {
        "type": TYPES[fields[1]],
        "lease_id": fields[3].hex(),
        "license_id": fields[4],
        "product": fields[5],
        "features": fields[6],
        "limits": fields.get(7, {}),
        "device_key": fields[8].hex(),
        "threshold": fields[10],
        "request_hash": fields[11].hex() if 11 in fields else None,
        "serial": fields[12],
        "ledger_seq": fields[13],
        "issued_at": datetime.datetime.fromtimestamp(issued, datetime.timezone.utc).isoformat(),
        "expires_at": datetime.datetime.fromtimestamp(expires, datetime.timezone.utc).isoformat(),
    }


def main():
    args = sys.argv[1:]
    now = datetime.datetime.now(datetime.timezone.utc)
    if "--now" in args:
        i = args.index("--now")
        now = datetime.datetime.fromisoformat(args[i + 1].replace("Z", "+00:00"))
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    pub = open(args[0]).read()
    data = sys.stdin.buffer.read() if args[1] == "-" else open(args[1], "rb").read()
    try:
        print(json.dumps(verify(pub, read_message(data), now), indent=2))
    except (Refused, ValueError, IndexError, KeyError) as e:
        print("refused: %s" % e, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
