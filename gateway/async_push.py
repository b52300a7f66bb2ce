"""Push delivery of the AsyncChannel: ШЭП calls the recipient (wire-formats.md §3.1, "ШЭП
доставлял сообщения методом вызова сервиса получателя (PUSH)").

* A participant with a ``push_url`` gets ``IAsyncChannelClient.sendMessage`` over HTTP; its
  ``sendMessageResponse`` means DELIVERED. A fault, an HTTP error, a broken answer or no answer
  within ``push_timeout`` is a failed try: the message goes back to the queue after a backoff
  (``retry_backoff`` doubling up to ``retry_max``) and stops (DELIVERY_STOPPED) after
  ``max_attempts``.
* A ``builtin:`` recipient (РШЭП, the portal's and ЦОН's inboxes) is called in process with a
  ProviderCall, as SyncChannel calls it: success → DELIVERED; a refusal it answers (a status
  code other than success, or a ProviderFault) → NOT_DELIVERED, the recipient's code in the
  status — resending would not change its mind; an exception or a timeout → a failed try.
* A sender with a ``push_url`` gets ``changeMassageStatusNotification`` for every state change
  of its messages (at least once, with the same retries).

Every process runs one :class:`AsyncDelivery`: a loop that looks at the queue every
``poll_interval`` and is woken at once when this process queues a message. Claims in the queue
(gateway/async_queue.py) make sure two processes never push the same message at once. Each
push is journaled like any exchange (channel ``async``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import time
import uuid
from typing import Mapping

import httpx
from lxml import etree

from egov_sim.core.clock import Clock, system_clock
from egov_sim.core.safe_xml import UnsafeXmlError, parse
from egov_sim.wsdl.schemas import ASYNC_CLIENT_TYPES_NS

from . import admission, soap
from . import journal as journal_module
from .async_queue import STATUS_REFUSED, AsyncQueue, MessageState, Mode, QueuedMessage, StatusNotice
from .config import GatewayConfig
from .errors import GatewayFault
from .providers import SUCCESS_CODE, Provider, ProviderCall, ProviderFault
from .request_info import RequestInfo
from .sync_channel import Trace, new_session_id

CLIENT = ASYNC_CLIENT_TYPES_NS
log = logging.getLogger("egov_sim.gateway.async")


class AsyncDelivery:
    def __init__(self, config: GatewayConfig, queue: AsyncQueue, *, builtin: Mapping[str, Provider],
                 http: httpx.AsyncClient, journal_writer: journal_module.JournalWriter,
                 clock: Clock = system_clock, batch: int = 16):
        self.config, self.queue, self.builtin, self.http = config, queue, builtin, http
        self.journal_writer, self.clock, self.batch = journal_writer, clock, batch
        self._claimant = f"pusher:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None
        self._kicks: set[asyncio.Task] = set()
        self._inflight: dict[str, asyncio.Event] = {}

    # --- running -----------------------------------------------------------------------------

    def start(self) -> None:
        """Run the delivery loop on the current event loop (the server's lifespan calls it)."""
        if self._task is None:
            self._wake = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._loop())

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._kicks) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._task = None

    def kick(self, message: QueuedMessage | None = None) -> None:
        """A message was queued in this process: deliver it now, not at the next poll."""
        if self._wake is not None:
            self._wake.set()
            return
        try:  # no loop running (an app served without its lifespan): one pass now
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        task = loop.create_task(self.run_once())
        self._kicks.add(task)
        task.add_done_callback(self._kicks.discard)

    async def deliver_now(self, message: QueuedMessage) -> None:
        """The first try of a message for a built-in recipient, before sendMessage answers: the
        simulator's own systems take it at once, so what the sender sees next is settled."""
        claimed = await asyncio.to_thread(self.queue.claim_one, message.message_id, claimant=self._claimant)
        if claimed is not None:
            await self._deliver(claimed)
            return
        # The delivery loop (of this or another worker) took it between the commit and here:
        # the first try is still made before the answer, so wait for that try to end.
        service = self.config.services.get(message.service_id)
        deadline = time.monotonic() + (service.timeout if service is not None else 10.0) + 5.0
        while time.monotonic() < deadline:
            running = self._inflight.get(message.message_id)
            if running is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(running.wait(), max(deadline - time.monotonic(), 0.0))
                return
            row = await asyncio.to_thread(self.queue.get, message.message_id)
            if row is None or row.state is not MessageState.ON_DELIVERY or row.claimed_by is None:
                return
            await asyncio.sleep(0.02)

    async def _loop(self) -> None:
        while True:
            try:
                busy = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 — the loop must outlive a bad moment (DB down)
                log.warning("async delivery pass failed: %s", exc)
                busy = False
            if busy:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), self.config.async_.poll_interval)
            except TimeoutError:
                pass
            self._wake.clear()

    async def run_once(self) -> bool:
        """One pass: push what is due, then the status notifications. True when work was found."""
        if not await asyncio.to_thread(self.queue.has_work):
            return False
        due = await asyncio.to_thread(self.queue.claim_due, limit=self.batch, claimant=self._claimant)
        if due:
            await asyncio.gather(*(self._deliver(m) for m in due))
        notices = await asyncio.to_thread(self.queue.claim_notices, limit=self.batch)
        if notices:
            await asyncio.gather(*(self._notify(n) for n in notices))
        return bool(due or notices)

    # --- one message -------------------------------------------------------------------------

    async def _deliver(self, m: QueuedMessage) -> None:
        finished = self._inflight.setdefault(m.message_id, asyncio.Event())
        try:
            await self._try(m)
        finally:
            finished.set()
            if self._inflight.get(m.message_id) is finished:
                del self._inflight[m.message_id]

    async def _try(self, m: QueuedMessage) -> None:
        # journaled as the gateway's own act: no serviceId/senderId, so "calls of a service"
        # (Journal.count_calls) count the sender's sendMessage once, not its deliveries
        ex = Trace(received_at=self.clock(), request_body=m.message, channel=journal_module.CHANNEL_ASYNC,
                   message_id=m.message_id, correlation_id=m.correlation_id, route_id=m.route_id,
                   provider=m.recipient)
        started = time.perf_counter()
        ex.provider_started_at = self.clock()
        try:
            if m.mode is Mode.BUILTIN:
                outcome = await self._builtin(m, ex)
            else:
                outcome = await self._push(m, ex)
        except Exception as exc:  # noqa: BLE001 — a bug in one delivery must not stop the others
            outcome = ("retry", ("PUSH_FAILED", f"{exc.__class__.__name__}: {exc}"))
        ex.provider_finished_at = ex.responded_at = self.clock()
        ex.provider_ms = ex.total_ms = round((time.perf_counter() - started) * 1000, 3)
        kind, status = outcome
        if kind == "delivered":
            row = await asyncio.to_thread(self.queue.delivered, m.message_id, status)
        elif kind == "refused":
            row = await asyncio.to_thread(self.queue.refused, m.message_id, status, error=status)
        else:
            row = await asyncio.to_thread(self.queue.retry, m.message_id, error=status)
        ex.status_code, ex.status_message = row.state.value, f"push attempt {m.attempts}: {status[0]} {status[1]}"[:500]
        try:
            await self.journal_writer.record(ex.to_exchange())
        except Exception as exc:  # noqa: BLE001 — the state is committed; the journal row is a record
            log.warning("push of %s not journaled: %s", m.message_id, exc)

    async def _builtin(self, m: QueuedMessage, ex: Trace) -> tuple[str, tuple[str, str]]:
        name = m.recipient.removeprefix("builtin:")
        provider = self.builtin.get(name)
        if provider is None:
            return "retry", ("NO_PROVIDER", f"built-in provider {name!r} is not available")
        element = etree.fromstring(m.message)
        info = element.find("messageInfo")
        request_info = RequestInfo(
            message_id=m.message_id, service_id=m.service_id, message_date=info.findtext("messageDate"),
            sender_id=m.sender_id, correlation_id=m.correlation_id, route_id=m.route_id,
            properties=tuple((p.findtext("key") or "", p.findtext("value") or "")
                             for p in info.iterfind("properties")))
        data = element.find("messageData/data")
        copied = soap.copy_data(data) if data is not None else None
        call = ProviderCall(info=request_info, data=copied, session_id=new_session_id(),
                            route_id=m.route_id, content=admission.content_of(data, copied))
        service = self.config.services.get(m.service_id)
        timeout = service.timeout if service is not None else 10.0
        try:
            async with asyncio.timeout(timeout):
                reply = await provider(call)
        except TimeoutError:
            return "retry", ("TIMEOUT", f"{m.recipient} did not answer within {timeout:g} s")
        except ProviderFault as pf:
            ex.fault_code, ex.fault_message = pf.code, pf.message
            return "refused", (pf.code, f"{pf.message}" + (f" ({pf.data})" if pf.data else ""))
        except GatewayFault as gf:
            return "retry", (gf.code, str(gf))
        if reply.code != SUCCESS_CODE:
            return "refused", (reply.code, reply.message or STATUS_REFUSED[1])
        return "delivered", (reply.code, reply.message)

    async def _push(self, m: QueuedMessage, ex: Trace) -> tuple[str, tuple[str, str]]:
        participant = self.config.participants.get(m.recipient)
        url = participant.push_url if participant is not None else None
        if not url:
            return "retry", ("NO_PUSH_URL", f"participant {m.recipient!r} has no push_url")
        element = etree.fromstring(m.message)
        element.tag = "request"
        root = etree.Element(f"{{{CLIENT}}}sendMessage", nsmap={"cl": CLIENT})
        root.append(element)
        body = soap.serialize(soap.envelope_with(root))
        ex.request_body = body
        try:
            resp = await self.http.post(url, content=body, timeout=self.config.async_.push_timeout,
                                        headers={"Content-Type": "text/xml; charset=utf-8",
                                                 "SOAPAction": '""'})
        except httpx.TimeoutException:
            return "retry", ("TIMEOUT", f"{url} did not answer within {self.config.async_.push_timeout:g} s")
        except httpx.HTTPError as exc:
            return "retry", ("UNREACHABLE", f"{url}: {exc.__class__.__name__}: {exc}")
        ex.response_body, ex.http_status = resp.content, resp.status_code
        try:
            answer = parse(resp.content, self.config.limits).getroot()
        except UnsafeXmlError as exc:
            return "retry", ("BROKEN_ANSWER", f"{url} answered HTTP {resp.status_code}: {exc}")
        first = next((c for c in answer.iterfind(f"{{{soap.SOAP11}}}Body/*")), None)
        if first is not None and first.tag == f"{{{soap.SOAP11}}}Fault":
            code = first.findtext("detail/*/errorCode") or first.findtext("faultcode") or "FAULT"
            ex.fault_code = code
            return "retry", (code, first.findtext("faultstring") or "the participant answered a fault")
        if resp.status_code != 200 or first is None or first.tag != f"{{{CLIENT}}}sendMessageResponse":
            return "retry", ("BROKEN_ANSWER", f"{url} answered HTTP {resp.status_code} without a sendMessageResponse")
        return "delivered", ("DELIVERED", f"pushed to {m.recipient}")

    # --- status notifications ------------------------------------------------------------------

    async def _notify(self, n: StatusNotice) -> None:
        participant = self.config.participants.get(n.sender_id)
        url = participant.push_url if participant is not None else None
        if not url:
            await asyncio.to_thread(self.queue.notice_done, n, ok=True)
            return
        root = etree.Element(f"{{{CLIENT}}}changeMassageStatusNotification", nsmap={"cl": CLIENT})
        request = etree.SubElement(root, "request")
        note = etree.SubElement(request, "notification")
        etree.SubElement(note, "notificationId").text = n.notification_id
        etree.SubElement(note, "messageId").text = n.message_id
        etree.SubElement(note, "notificationDate").text = soap.now_iso(self.clock())
        etree.SubElement(note, "messageState").text = n.state.value
        status = etree.SubElement(note, "status")
        etree.SubElement(status, "statusCode").text = n.status_code
        etree.SubElement(status, "statusMessage").text = n.status_message
        etree.SubElement(status, "statusDate").text = soap.now_iso(n.status_date)
        etree.SubElement(request, "requestDate").text = soap.now_iso(self.clock())
        etree.SubElement(request, "sessionId").text = new_session_id()
        ok = False
        try:
            resp = await self.http.post(url, content=soap.serialize(soap.envelope_with(root)),
                                        timeout=self.config.async_.push_timeout,
                                        headers={"Content-Type": "text/xml; charset=utf-8",
                                                 "SOAPAction": '""'})
            ok = resp.status_code == 200 and b"changeMassageStatusNotificationResponse" in resp.content
        except httpx.HTTPError as exc:
            log.info("status notification %s to %s failed: %s", n.notification_id, url, exc)
        await asyncio.to_thread(self.queue.notice_done, n, ok=ok)


def backoff_schedule(settings, attempts: int) -> list[dt.timedelta]:
    """The waits between tries (for the docs and tests)."""
    return [dt.timedelta(seconds=min(settings.retry_backoff * 2 ** i, settings.retry_max))
            for i in range(attempts - 1)]
