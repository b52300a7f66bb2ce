"""An NCALayer for the browser: a local WebSocket service that speaks NCALayer's protocol (the
``kz.gov.pki.knca.commonUtils`` methods and the ``kz.gov.pki.knca.basics`` ``sign`` module) and
signs with the simulator's test keys, with no dialog. docs/ncalayer.md describes it.

- :mod:`.keystore`: the keys it holds (personas' keys, PKCS#12 files) and how one is chosen;
- :mod:`.protocol`: the messages, transport-free (one JSON text in, one out);
- :mod:`.server`: the WebSocket service (Starlette on uvicorn), plain ``ws`` or TLS;
- :mod:`.cli`: ``egov-sim ncalayer``.
"""
