"""What every endpoint module shares: the documented error responses and a scope's security."""

from ninja import Path

from ..auth import ApiKey
from ..models import Scope
from ..problems import Problem
from ..schemas import BUSINESS_ID

# Every POST may answer these (400: no Idempotency-Key or an unreadable body); every GET the rest.
POST_ERRORS = {frozenset({400, 401, 403, 404, 409, 422, 429}): Problem}
GET_ERRORS = {frozenset({401, 403, 404, 422, 429}): Problem}

LEDGER = ApiKey(Scope.LEDGER_WRITE)
LOGISTICS = ApiKey(Scope.LOGISTICS_WRITE)
READ = ApiKey(Scope.READ)
EVENTS = ApiKey(Scope.EVENTS_READ)


def business_id(description: str, example: str):
    return Path(..., pattern=BUSINESS_ID, description=description, examples=[example])
