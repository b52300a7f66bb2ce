"""The atheris target of tests/security/test_fuzz_soap_parser.py: the gateway's request path up to
the provider, in process — content type, SOAPAction, the hardened parse, the envelope, requestInfo,
the contract's schema, the transport signature's layout.

Any exception other than the gateway's own refusal (``GatewayFault``) or a refused input
(``InputError``) is a crash: atheris stops, prints the input and the traceback, exits non-zero.
Run by the test in a child process (libFuzzer exits the process when it is done):

    python -m tests.security.fuzz_soap_target -runs=3000 -seed=1 -max_len=4096 CORPUS
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports(include=["egov_sim.gateway", "egov_sim.core.safe_xml", "egov_sim.signing.verify"]):
    from egov_sim.core.errors import InputError
    from egov_sim.gateway import soap
    from egov_sim.gateway.errors import GatewayFault
    from egov_sim.gateway.redaction import redact
    from egov_sim.gateway.request_info import read_request_info
    from egov_sim.gateway.soap_action import check_soap_action
    from egov_sim.gateway.sync_channel import SEND_MESSAGE
    from egov_sim.signing.trust import TrustStore
    from egov_sim.signing.verify import Verifier
    from egov_sim.wsdl.schemas import data_name_errors, sync_validator

LIMITS = soap.XmlLimits(max_bytes=64 * 1024, max_depth=64)
VERIFIER = Verifier(TrustStore([]))
CONTENT_TYPES = ("text/xml", "application/xml", "application/soap+xml", "text/plain", "", None)


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    content_type = CONTENT_TYPES[fdp.ConsumeIntInRange(0, len(CONTENT_TYPES) - 1)]
    action = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 40))
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    redact(body)  # the journal's redaction takes whatever arrived
    for check in (lambda: soap.check_content_type(content_type), lambda: check_soap_action(action)):
        try:
            check()
        except GatewayFault:
            pass
    try:
        message = soap.parse_message(body, LIMITS)
        if message.operation_qname == SEND_MESSAGE:
            read_request_info(message.operation.find("request"))
            sync_validator().validate(message.operation)
            data_name_errors(message.operation)
        if message.header is not None:
            VERIFIER.verify(message.tree, layout="wsse")
    except (GatewayFault, InputError):
        pass


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
