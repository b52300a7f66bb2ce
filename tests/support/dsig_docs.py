"""Documents and identities the XML-DSig tests sign (shared by the test modules)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from egov_sim.reference.iin import make_bin, make_iin

UTC = dt.UTC
SIGNER_IIN = make_iin(dt.date(1988, 3, 14), "M", 1234)
OTHER_IIN = make_iin(dt.date(1990, 7, 1), "F", 4321)
ORG_BIN = make_bin(2010, 5, 12345)


def person_request(iin: str = SIGNER_IIN, *, comment: bool = False) -> bytes:
    """A portal e-request like the ones K08–K10 check."""
    note = "<!-- заявка с портала -->" if comment else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<request xmlns="http://egov.sim/request">{note}\n'
            f'  <iin>{iin}</iin>\n'
            f'  <surname>ҮЛГІ</surname>\n'
            f'  <name>ҚОЛДАНУШЫ</name>\n'
            f'  <service>Справка о составе семьи</service>\n'
            f'</request>\n').encode()


def soap_request(iin: str = SIGNER_IIN, *, comment: bool = False) -> bytes:
    """A ШЭП SyncChannel SendMessage for ГБД ФЛ (wire-formats.md §2.11), unsigned."""
    note = "<!--c-->" if comment else ""
    return (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
        '<soap:Header/>'
        '<soap:Body>'
        '<t:SendMessage xmlns:t="http://bip.bee.kz/SyncChannel/v10/Types">'
        '<request xmlns="">'
        '<requestInfo><messageId>6f1c2a9e-3d4b-4c55-9a0e-1b2c3d4e5f60</messageId>'
        '<serviceId>GBDFL_UniversalServiceSync</serviceId>'
        '<messageDate>2024-02-05T10:15:00.000+06:00</messageDate>'
        '<sender><senderId>EGOV_SIM_IIS_CON</senderId></sender></requestInfo>'
        f'<requestData>{note}<data xmlns:cs="http://message.persistence.interactive.nat" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="cs:Request">'
        '<messageId>m-1</messageId><messageDate>2024-02-05T10:15:00.000+06:00</messageDate>'
        f'<senderCode>EGOV_SIM_IIS_CON</senderCode><iin>{iin}</iin></data></requestData>'
        '</request></t:SendMessage></soap:Body></soap:Envelope>').encode()


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
