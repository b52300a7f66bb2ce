"""The invented service the stub tests answer: a tax-debt check by IIN (TAX_DEBT_SIM, SYNTHETIC)."""

from __future__ import annotations

TAX = "http://tax.example.kz/debt/v1"
SERVICE_ID = "TAX_DEBT_SIM"
DEBTOR = "880314312347"
CLEAN = "900101300017"
BLOCKED = "000000000000"

DEBTS_YAML = f"""\
namespaces:
  tax: "{TAX}"
stubs:
  - name: debt-found
    priority: 1
    match:
      sender_id: EGOV_SIM_TEST_CLIENT
      xpath:
        - path: "string(//tax:iin)"
          equals: "{DEBTOR}"
    answer:
      data_file: bodies/debt.xml
      sign: tax-service
  - name: blocked-iin
    priority: 2
    match:
      xpath:
        - path: "string(//tax:iin)"
          matches: "0000\\\\d{{8}}"
    answer:
      fault:
        code: TAX-403
        message: Доступ к данным запрещен
        data: "iin {{{{ xpath('//tax:iin') }}}} is blocked"
  - name: no-debt
    match:
      xpath: ["//tax:iin"]
    answer:
      data: |
        <tax:debtResponse xmlns:tax="{TAX}">
          <tax:iin>{{{{ xpath('//tax:iin') }}}}</tax:iin>
          <tax:total>0</tax:total>
        </tax:debtResponse>
  - name: slow
    match:
      xpath: ["//tax:slow"]
    answer:
      delay_ms: 3000
      data: <late/>
"""

DEBT_XML = f"""\
<tax:debtResponse xmlns:tax="{TAX}">
  <tax:iin>{{{{ xpath('//tax:iin') }}}}</tax:iin>
  <tax:total currency="KZT">125000</tax:total>
  <tax:receipt>R-{{{{ counter('receipt') }}}}</tax:receipt>
  <tax:checkedAt>{{{{ now() }}}}</tax:checkedAt>
</tax:debtResponse>
"""

FILES = {"debts.yaml": DEBTS_YAML, "bodies/debt.xml": DEBT_XML}


def debt_request(iin: str, *, prefix: str = "tax") -> str:
    """``data`` with a namespaced request, as a PHP or JAX-WS client would put it."""
    return (f'<data><{prefix}:debtRequest xmlns:{prefix}="{TAX}"><{prefix}:iin>{iin}</{prefix}:iin>'
            f"</{prefix}:debtRequest></data>")
