"""Kazakh GOST signatures: GOST 34.310-2004 and GOST 34.10-2015 (256/512) keys of НУЦ РК.

``curves`` and ``ec`` do the curve arithmetic (gmpy2, precomputed tables); ``digest`` the
hashes (libgcrypt, pure-Python fallback in ``gosthash94``); ``keys`` the algorithm families,
OIDs, URIs and byte orders; ``x509`` plugs GOST keys into cryptography's certificate, CRL and
OCSP objects; ``pkcs12`` reads and writes the key containers; ``asn1`` builds GOST-signed
certificates, CRLs and OCSP responses (cryptography cannot sign with GOST).
"""

from .keys import ALGORITHMS, GOST2004, GOST2015_256, GOST2015_512, GostAlgorithm, GostPrivateKey, GostPublicKey  # noqa: F401
