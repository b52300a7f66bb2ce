"""GOST hashes and curve arithmetic against the standards' own known answers."""

import os

import pytest

from egov_sim.signing.gost import digest, ec, gosthash94, libgcrypt
from egov_sim.signing.gost.curves import CRYPTOPRO_A, TC26_512_A, Curve
from egov_sim.signing.gost.keys import GOST2004, GOST2015_256, GOST2015_512, GostPrivateKey, GostPublicKey

# RFC 5831 §7.3.1, GOST R 34.11-94 with the Test parameter set ("id-GostR3411-94-TestParamSet").
RFC5831_TEST = {
    b"": "ce85b99cc46752fffee35cab9a7b0278abb4c2d2055cff685af4912c49490f8d",
    b"abc": "f3134348c44fb1b2a277729e2285ebb5cb5e0f29c975bc753b70497c06a4d51d",
    b"message digest": "ad4434ecb18f2c99b60cbe59ec3d2469582b65273f48de72db2fde16a4889a4d",
    b"This is message, length=32 bytes": "b1c466d37519b82e8319819ff32595e047a28cb6f83eff1c6916a815a637fffa",
    b"Suppose the original message has length = 50 bytes":
        "471aba57a60a770d3a76130635c1fbea4ef14de51f78b4ae57dd893b62f55208",
}
RFC5831_CRYPTOPRO_EMPTY = "981e5f3ca30c841487830f84fb433e13ac1101569b9c13584ac483234cd656c0"


@pytest.mark.parametrize("message, expected", RFC5831_TEST.items())
def test_gost34311_known_answers_pure_python(message, expected):
    assert gosthash94.digest(message).hex() == expected


@pytest.mark.parametrize("message, expected", RFC5831_TEST.items())
def test_gost34311_known_answers_as_used(message, expected):
    assert digest.gost34311(message).hex() == expected


def test_the_cryptopro_sbox_gives_another_digest():
    """The trap of spec gost.md: OpenSSL's md_gost94 (CryptoPro S-box) never verifies a KZ 2004 signature."""
    assert gosthash94.digest(b"", gosthash94.CRYPTOPRO_SBOX).hex() == RFC5831_CRYPTOPRO_EMPTY
    assert RFC5831_CRYPTOPRO_EMPTY != RFC5831_TEST[b""]


@pytest.mark.skipif(not libgcrypt.AVAILABLE, reason="libgcrypt not installed")
@pytest.mark.parametrize("length", [1, 31, 32, 33, 64, 65, 1000, 4097])
def test_libgcrypt_and_pure_python_agree(length):
    data = os.urandom(length)
    assert libgcrypt.md(libgcrypt.GOSTR3411_94, data) == gosthash94.digest(data)
    assert libgcrypt.md(libgcrypt.GOSTR3411_CP, data) == gosthash94.digest(data, gosthash94.CRYPTOPRO_SBOX)


@pytest.mark.parametrize("length", [0, 63, 64, 65, 1000])
def test_streebog_agrees_with_gostcrypto(length):
    from gostcrypto import gosthash

    data = os.urandom(length)
    assert digest.streebog512(data) == bytes(gosthash.new("streebog512", data=data).digest())
    assert digest.streebog256(data) == bytes(gosthash.new("streebog256", data=data).digest())


# GOST R 34.10-2012 / RFC 7091 appendix A.1: the 256-bit example, with its own test curve.
EXAMPLE_CURVE = Curve(
    name="GOST R 34.10-2012 example (RFC 7091 A.1)",
    p=0x8000000000000000000000000000000000000000000000000000000000000431, a=7,
    b=0x5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E,
    q=0x8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3, x=2,
    y=0x08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8)
EXAMPLE_D = 0x7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28
EXAMPLE_Q = (0x7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B,
             0x26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA)
EXAMPLE_E = 20798893674476452017134061561508270130637142515379653289952617252661468872421
EXAMPLE_K = 53854137677348463731403841147996619241504003434302020712960838528893196233395
EXAMPLE_R = 29700980915817952874371204983938256990422752107994319651632687982059210933395
EXAMPLE_S = 574973400270084654178925310019147038455227042649098563933718999175515839552


def test_standard_example_public_key():
    assert ec.public_point(EXAMPLE_CURVE, EXAMPLE_D) == EXAMPLE_Q


def test_standard_example_signature():
    assert ec.sign(EXAMPLE_CURVE, EXAMPLE_D, EXAMPLE_E, k=EXAMPLE_K) == (EXAMPLE_R, EXAMPLE_S)


def test_standard_example_verifies_and_breaks_on_any_change():
    key = ec.PublicPoint(EXAMPLE_CURVE, *EXAMPLE_Q)
    for _ in range(ec.PublicPoint.HOT + 1):  # both the NAF path and the per-key table
        assert key.verify(EXAMPLE_E, EXAMPLE_R, EXAMPLE_S)
    assert not key.verify(EXAMPLE_E + 1, EXAMPLE_R, EXAMPLE_S)
    assert not key.verify(EXAMPLE_E, EXAMPLE_R + 1, EXAMPLE_S)
    assert not key.verify(EXAMPLE_E, EXAMPLE_R, EXAMPLE_S + 1)
    assert not key.verify(EXAMPLE_E, 0, EXAMPLE_S) and not key.verify(EXAMPLE_E, EXAMPLE_R, EXAMPLE_CURVE.q)


@pytest.mark.parametrize("curve", [CRYPTOPRO_A, TC26_512_A])
def test_base_points_are_on_their_curves_and_of_order_q(curve):
    assert curve.contains(curve.x, curve.y)
    g = ec.group(curve)
    assert g.to_affine(g.base.mul(curve.q)) is None
    assert g.to_affine(g.base.mul(curve.q - 1)) == (curve.x, curve.p - curve.y)


def test_a_point_off_the_curve_is_refused():
    with pytest.raises(ValueError):
        GostPublicKey(GOST2004, 1, 2)


@pytest.mark.parametrize("algorithm", [GOST2004, GOST2015_256, GOST2015_512])
def test_sign_verify_and_gostcrypto_agree(algorithm):
    """Our signature verifies in gostcrypto (big-endian r‖s, big-endian digest), and the other way."""
    from cryptography.exceptions import InvalidSignature
    from gostcrypto.gostsignature import CURVES_R_1323565_1_024_2019 as CURVES
    from gostcrypto.gostsignature import MODE_256, MODE_512, new

    key = GostPrivateKey.generate(algorithm)
    public = key.public_key()
    data = b"<data>egov-sim</data>"
    signature = key.sign(data)
    for _ in range(ec.PublicPoint.HOT + 1):
        public.verify(signature, data)
    with pytest.raises(InvalidSignature):
        public.verify(signature, data + b" ")
    size = algorithm.size
    name = "id-tc26-gost-3410-2012-256-paramSetB" if size == 32 else "id-tc26-gost-3410-12-512-paramSetA"
    other = new(MODE_256 if size == 32 else MODE_512, CURVES[name])
    big = lambda v: v.to_bytes(size, "big")  # noqa: E731
    r, s = (int.from_bytes(signature[:size], "little"), int.from_bytes(signature[size:], "little"))
    digest_be = algorithm.hash(data)[::-1]
    assert other.verify(bytearray(big(public.x) + big(public.y)), bytearray(digest_be), bytearray(big(r) + big(s)))
    theirs = other.sign(bytearray(big(key._d)), bytearray(digest_be))
    kz = bytes(theirs[:size])[::-1] + bytes(theirs[size:])[::-1]
    public.verify(kz, data)


@pytest.mark.parametrize("algorithm", [GOST2004, GOST2015_256, GOST2015_512])
def test_key_encodings_round_trip(algorithm):
    key = GostPrivateKey.generate(algorithm)
    again = GostPrivateKey.from_pkcs8(key.pkcs8())
    assert again.public_key() == key.public_key()
    assert GostPublicKey.from_spki(key.public_key().spki()) == key.public_key()


def test_streebog_known_answers_of_rfc6986():
    """RFC 6986 §10.1, message M1 (63 bytes)."""
    m1 = b"012345678901234567890123456789012345678901234567890123456789012"
    assert digest.streebog512(m1).hex() == (
        "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa"
        "00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48")
    assert digest.streebog256(m1).hex() == "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500"
