"""A messageId used again: recorded in the journal always, refused when configured.

``requestInfo/messageId`` is the sender's identifier of one message (a UUID). The contract does
not say what ШЭП does with a repeat, and the real gateway's behaviour is not public
(UNVERIFIED), so the simulator offers both readings (``[gateway] duplicate_message_id``):

- ``record`` (default): the repeat is served like any request; its journal row carries
  ``duplicateOf``, the id of the exchange that first answered this sender's messageId
  (gateway/journal.py marks it when the row is written, at no extra round trip).
- ``refuse``: a messageId of this sender that was already accepted is refused with ``SCE019``
  before the provider is called. The claim is atomic (a primary key), so of two concurrent
  requests with one messageId exactly one reaches the provider, on any number of workers or
  hosts sharing the database. A request that ends in a fault after its claim (the provider's
  timeout, its fault) gives the messageId back, so a retry after a fault is served.

Only authenticated senders claim messageIds (the check runs after the password and the
transport signature), so nobody can spoil another participant's identifiers.

The AsyncChannel follows the same key with its own claim: the queue row of the first message
(gateway/async_queue.py keeps the sender's messageId under a unique index). A repeated
``sendMessage`` is answered with the first message's ids under ``record`` (no second row) and
refused with the same ``SCE019`` under ``refuse`` (:meth:`DuplicateMessages.repeated`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from egov_sim.core.database import Database, Schema, to_db_time

from . import errors
from .errors import GatewayFault

DUPLICATES_SCHEMA = Schema("shep_message_ids", (
    """CREATE TABLE shep_message_ids (
           sender_id TEXT NOT NULL, message_id TEXT NOT NULL, channel TEXT NOT NULL,
           session_id TEXT, claimed_at TEXT NOT NULL,
           PRIMARY KEY (sender_id, message_id, channel))""",
))


def refusal(sender_id: str, message_id: str) -> GatewayFault:
    return GatewayFault(errors.DUPLICATE_MESSAGE,
                        f"messageId {message_id!r} of sender {sender_id!r} was accepted before; "
                        "a new message needs a new messageId")


@dataclass(frozen=True)
class Claim:
    sender_id: str
    message_id: str
    channel: str


class DuplicateMessages:
    """The ``duplicate_message_id`` policy of one gateway."""

    def __init__(self, db: Database, policy: str = "record", *, clock):
        if policy not in ("record", "refuse"):
            raise ValueError(f"duplicate_message_id must be record or refuse, not {policy!r}")
        self.db, self.policy, self.clock = db, policy, clock
        if policy == "refuse":
            db.migrate(DUPLICATES_SCHEMA)

    async def claim(self, *, sender_id: str, message_id: str, channel: str,
                    session_id: str | None = None) -> Claim | None:
        """Under ``refuse``: take the messageId or raise ``SCE019``; under ``record``: nothing."""
        if self.policy != "refuse":
            return None
        taken = await asyncio.to_thread(
            self.db.execute,
            "INSERT INTO shep_message_ids (sender_id, message_id, channel, session_id, claimed_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (sender_id, message_id, channel) DO NOTHING",
            (sender_id, message_id, channel, session_id, to_db_time(self.clock())))
        if taken != 1:
            raise refusal(sender_id, message_id)
        return Claim(sender_id, message_id, channel)

    def repeated(self, *, sender_id: str, message_id: str) -> None:
        """A messageId this sender used before came again: ``SCE019`` under ``refuse``; under
        ``record`` nothing (the caller serves it and the journal marks ``duplicateOf``)."""
        if self.policy == "refuse":
            raise refusal(sender_id, message_id)

    async def release(self, claim: Claim | None) -> None:
        """Give a messageId back when its exchange ended in a fault (a retry may use it)."""
        if claim is None:
            return
        await asyncio.to_thread(self.db.execute, "DELETE FROM shep_message_ids WHERE sender_id = ? AND message_id = ? AND channel = ?",
                        (claim.sender_id, claim.message_id, claim.channel))
