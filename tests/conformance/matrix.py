#!/usr/bin/env python3
"""Writes scenarios/fault-matrix.json: every fault x every operation, expected by the retry rules.

Each scenario queues one fault for one operation (on every attempt the client may make),
calls the operation once with one retry allowed, and states the error kind, the number of
attempts the rules allow, that the emulator saw exactly that many requests (so a create is
never sent twice after an ambiguous failure), and that the call ended within its deadline.

Run with --check to fail when the committed file differs from a fresh generation.
"""

import json
import sys
from pathlib import Path

OUT = Path(__file__).parent / "scenarios" / "fault-matrix.json"
KEY = "pleo-mock-api-key"
MAX_RETRIES = 1
# The attempt timeout of the slow fault's row, and of the others: long enough that a loaded
# machine does not turn their first attempt into a retried timeout.
SLOW_TIMEOUT_MS = 300
TIMEOUT_MS = 2000
# The whole call's limit, and the wall time a scenario may take: nothing hangs past it.
TOTAL_TIMEOUT_MS = 5000

# operationId -> (request, whether an installation must exist first, idempotent)
OPERATIONS = {
    "getClientInstallation": ({}, True, True),
    "createClientInstallation": ({"status": "AUTHORIZED"}, False, False),
    "updateClientInstallation": ({"status": "PENDING_INTEGRATION"}, True, True),
    "deleteClientInstallation": ({}, True, True),
    "activateMyInstallation": ({}, True, True),
    "completeInstallationExternalClientOnlyIdempotently": ({}, True, True),
    "introspect": ({}, False, True),
}

# name -> (fault, kind, HTTP status seen, retried for idempotent operations, retried for create)
FAULTS = {
    "400": ({"status": 400}, "bad_request", 400, False, False),
    "401": ({"status": 401}, "authentication", 401, False, False),
    "403": ({"status": 403}, "permission_denied", 403, False, False),
    "404": ({"status": 404}, "not_found", 404, False, False),
    "408": ({"status": 408, "retry_after": "0"}, "bad_request", 408, True, False),
    "409": ({"status": 409}, "conflict", 409, False, False),
    "422": ({"status": 422}, "bad_request", 422, False, False),
    "429": ({"status": 429, "retry_after": "0"}, "rate_limited", 429, True, True),
    "500": ({"status": 500, "retry_after": "0"}, "server", 500, True, False),
    "502": ({"status": 502, "retry_after": "0"}, "server", 502, True, False),
    "503": ({"status": 503, "retry_after": "0"}, "server", 503, True, True),
    "504": ({"status": 504, "retry_after": "0"}, "server", 504, True, False),
    "dropped connection": ({"drop": True}, "connection", None, True, False),
    "slower than the attempt timeout": ({"delay_ms": 2000}, "timeout", None, True, False),
    "malformed body": ({"malformed": True}, "decode", 200, False, False),
}


def scenario(fault_name: str, operation: str) -> dict:
    fault, kind, status, retried, create_retried = FAULTS[fault_name]
    request, needs_installation, idempotent = OPERATIONS[operation]
    attempts = 1 + MAX_RETRIES if (retried if idempotent else create_retried) else 1
    steps = []
    if needs_installation:
        steps.append({"admin": "POST /__mock/installations", "body": {"credential": KEY, "status": "ACTIVATED"}})
    steps.append({"admin": "POST /__mock/faults", "body": dict(fault, operation=operation, times=1 + MAX_RETRIES)})
    timeout = SLOW_TIMEOUT_MS if fault.get("delay_ms") else TIMEOUT_MS
    steps.append(
        {
            "client": {
                "api_key": KEY,
                "timeout_ms": timeout,
                "total_timeout_ms": TOTAL_TIMEOUT_MS,
                "max_retries": MAX_RETRIES,
            }
        }
    )
    call = {"call": operation, "request": request}
    if operation == "deleteClientInstallation" and fault_name == "malformed body":
        # A delete's answer has no body to decode: any 2xx is its success.
        call["result"] = None
    else:
        call["error"] = {"kind": kind, "status": status, "attempts": attempts}
    call["max_ms"] = TOTAL_TIMEOUT_MS
    steps.append(call)
    steps.append({"admin": "GET /__mock/journal", "expect": [{"operation": operation}] * attempts})
    return {"name": f"{operation}: {fault_name}", "steps": steps}


def generate() -> str:
    scenarios = [scenario(f, op) for op in OPERATIONS for f in FAULTS]
    header = {"generated_by": "tests/conformance/matrix.py", "scenarios": scenarios}
    return json.dumps(header, indent=1) + "\n"


def main() -> int:
    text = generate()
    if sys.argv[1:] == ["--check"]:
        if OUT.read_text() != text:
            print(f"{OUT} is stale: run python3 {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
