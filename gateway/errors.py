"""The gateway's error codes: what triggers each, and the fault it becomes.

The real ШЭП's own code list is not public (wire-formats.md §2.7). Codes seen from providers
(``SCE001`` format, ``SCE004`` no such service, ``SCE005``–``SCE007`` transport signature,
``SCE909`` internal) are reused with their published meaning; every other code here is
SYNTHETIC and can be renamed in the config file (``error_codes:``), so a client that was
written against different codes can be tested unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class ErrorKind:
    code: str
    message: str
    trigger: str
    faultcode: str = "soap:Server"
    synthetic: bool = True


_KINDS = (
    ErrorKind("SCE001", "Сообщение не соответствует формату",
              "malformed XML, wrong envelope, schema violation, missing mandatory requestInfo field",
              "soap:Client", synthetic=False),
    ErrorKind("SCE002", "Сообщение отклонено политикой безопасности XML",
              "DOCTYPE, entity declarations, oversize body or nesting too deep", "soap:Client"),
    ErrorKind("SCE003", "Неподдерживаемая версия SOAP",
              "SOAP 1.2 content type or envelope namespace (the contract is SOAP 1.1)",
              "soap:VersionMismatch"),
    ErrorKind("SCE004", "Сервис не существует", "unknown serviceId", "soap:Client", synthetic=False),
    ErrorKind("SCE005", "Транспортная подпись не актуальная",
              "the transport signature's certificate is expired, not yet valid or revoked",
              "soap:Client", synthetic=False),
    ErrorKind("SCE006", "Не верная транспортная подпись",
              "transport signature does not verify, wrapping layout, untrusted chain, wrong key usage",
              "soap:Client", synthetic=False),
    ErrorKind("SCE007", "Сообщение не подписано",
              "participant's policy is 'required' and the request has no wsse:Security signature",
              "soap:Client", synthetic=False),
    ErrorKind("SCE008", "Ошибка аутентификации отправителя",
              "unknown senderId or wrong password", "soap:Client"),
    ErrorKind("SCE009", "Доступ к сервису запрещен",
              "the sender is not allowed to call this serviceId", "soap:Client"),
    ErrorKind("SCE010", "Маршрут не найден",
              "routeId is not registered, or the service needs a routeId and none was given",
              "soap:Client"),
    ErrorKind("SCE011", "Превышено время ожидания ответа поставщика",
              "the provider did not answer within its timeout"),
    ErrorKind("SCE012", "Поставщик сервиса недоступен",
              "the provider refused the connection, answered with an HTTP error or a broken message"),
    ErrorKind("SCE013", "Неподдерживаемый метод",
              "the Body's first element is not an operation of this endpoint", "soap:Client"),
    ErrorKind("SCE014", "Журнал ШЭП недоступен",
              "the exchange could not be journaled; nothing is answered without a journal entry"),
    ErrorKind("SCE018", "Обязательный заголовок SOAP не поддерживается",
              "a soap:Header entry with mustUnderstand=\"1\" that the gateway does not understand",
              "soap:MustUnderstand"),
    ErrorKind("SCE020", "Получатель сообщения не определён",
              "AsyncChannel: the service or route has no participant or built-in provider to deliver to",
              "soap:Client"),
    ErrorKind("SCE021", "Сообщение не найдено",
              "AsyncChannel: no message with this messageId that the caller sent or received",
              "soap:Client"),
    ErrorKind("SCE022", "Недопустимое уведомление о доставке",
              "AsyncChannel: a delivery notification for a message not handed to the caller, or "
              "one that contradicts an earlier notification", "soap:Client"),
    ErrorKind("SCE909", "Внутренняя ошибка", "an unexpected error inside the simulator",
              synthetic=False),
)

KINDS = MappingProxyType({k.code: k for k in _KINDS})

# Symbolic names used by the code, so a renamed code never needs a code change.
FORMAT = "SCE001"
XML_POLICY = "SCE002"
SOAP_VERSION = "SCE003"
NO_SERVICE = "SCE004"
SIGNATURE_NOT_CURRENT = "SCE005"
SIGNATURE_INVALID = "SCE006"
NOT_SIGNED = "SCE007"
AUTH_FAILED = "SCE008"
FORBIDDEN = "SCE009"
NO_ROUTE = "SCE010"
PROVIDER_TIMEOUT = "SCE011"
PROVIDER_FAILED = "SCE012"
NO_OPERATION = "SCE013"
JOURNAL_UNAVAILABLE = "SCE014"
MUST_UNDERSTAND = "SCE018"
NO_RECIPIENT = "SCE020"
NO_MESSAGE = "SCE021"
BAD_NOTIFICATION = "SCE022"
INTERNAL = "SCE909"


@dataclass(frozen=True)
class ErrorCodes:
    """The codes this gateway answers with: default code → code on the wire."""

    renamed: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def wire(self, code: str) -> str:
        return self.renamed.get(code, code)


class GatewayFault(Exception):
    """A fault the gateway answers with: ErrorInfo in SendMessageFault1_SendMessageFault, HTTP 500."""

    def __init__(self, code: str, data: str | None = None, *, message: str | None = None,
                 sub_error: GatewayFault | None = None):
        kind = KINDS.get(code)
        self.code = code
        self.message = message or (kind.message if kind else "Ошибка")
        self.data = data
        self.faultcode = kind.faultcode if kind else "soap:Server"
        self.sub_error = sub_error
        super().__init__(f"{code}: {self.message}" + (f" ({data})" if data else ""))
