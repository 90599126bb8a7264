"""Races: 64 concurrent approvals of one appeal, and 8 agents working 500 appeals at once, through
the admin's real buttons.

    .venv/bin/python bench/races.py [--smoke] [--json out.json]

Each thread has its own django test Client (force_login; its own database connection, as a server
thread would) and posts exactly what the admin's buttons post.

1. One appeal in review, assigned to an agent; 64 threads, all that agent, wait on a barrier and
   post "Approve and release" at once. Exactly one must succeed; the other 63 must get the admin's
   clear refusal ("This appeal was already Approved by … at …") and no response may be a 5xx. The
   freeze is released once (one RELEASE ledger entry) and ledger_mismatches() stays clean.
2. 500 submitted appeals and 8 agents; each agent presses "Take next" (claims with SKIP LOCKED), then
   "Approve and release", which opens its next appeal, already claimed (decide and go on), until a
   decision lands on the queue and "Take next" finds nothing. Every appeal must be approved
   once and its freeze released once, no 5xx, ledger clean. Reported: decisions per second.
"""

import sys
import threading
import traceback

import common

NAME = "races"


def run_threads(n, target):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        from django.db import connection

        try:
            results[i] = target(i, barrier)
        except Exception:  # noqa: BLE001 - reported, and fails the benchmark
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    with common.Timer() as t:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return results, errors, t.seconds


def messages_of(response):
    from django.contrib.messages import get_messages

    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def one_appeal(n_threads):
    import datagen
    from django.urls import reverse

    from accounts.models import Freeze, LedgerEntry
    from appeals.models import Appeal, AppealEvent, State

    agents, supervisors = datagen.staff("r1", agents=1, supervisors=1)
    agent = agents[0]
    freezes = datagen.credit_lines("r1", datagen.customers("r1", 1), freezes_per_account=1)
    appeal_id = datagen.appeals("r1", freezes, agents=[agent], supervisors=supervisors, states=[State.IN_REVIEW])[0]
    url = reverse("admin:appeals_appeal_change", args=[appeal_id])
    clients = []
    for _ in range(n_threads):
        client = common.client(shared_with=clients[0] if clients else None, raise_request_exception=False)
        client.force_login(agent)
        clients.append(client)
    assert clients[0].get(url).status_code == 200  # loads the middleware once, before the race

    def approve(i, barrier):
        barrier.wait()
        response = clients[i].post(url, {"_fsm_transition_to": "approve"})
        return response.status_code, messages_of(response)

    results, errors, seconds = run_threads(n_threads, approve)
    statuses = [r[0] for r in results if r]
    msgs = [m for r in results if r for m in r[1]]
    ok = [text for level, text in msgs if level == "success"]
    refused = [text for level, text in msgs if level == "error"]
    clear = [text for text in refused if "already" in text or "已" in text]
    appeal = Appeal.objects.select_related("freeze").get(pk=appeal_id)
    releases = LedgerEntry.objects.filter(freeze=appeal.freeze, kind=LedgerEntry.Kind.RELEASE).count()
    approvals = AppealEvent.objects.filter(appeal=appeal, transition="approve").count()
    common.verify_ledger()
    summary = {
        "threads": n_threads, "seconds": seconds, "succeeded": len(ok), "refused": len(refused),
        "refused_clearly": len(clear), "5xx": sum(s >= 500 for s in statuses), "statuses": sorted(set(statuses)),
        "errors": errors[:3], "release_entries": releases, "approve_events": approvals,
        "appeal_state": appeal.state, "freeze_status": appeal.freeze.status,
        "example_refusal": refused[0] if refused else None, "example_success": ok[0] if ok else None,
    }
    passed = (len(ok) == 1 and len(clear) == n_threads - 1 and summary["5xx"] == 0 and not errors
              and releases == 1 and approvals == 1 and appeal.state == State.APPROVED
              and appeal.freeze.status == Freeze.Status.RELEASED)
    return passed, summary


def desk(n_agents, n_appeals):
    import datagen
    from django.urls import reverse

    from accounts.models import Freeze, LedgerEntry
    from appeals.models import Appeal, AppealEvent, State

    agents, supervisors = datagen.staff("r2", agents=n_agents, supervisors=1)
    customers = datagen.customers("r2", n_appeals)
    freezes = datagen.credit_lines("r2", customers, freezes_per_account=1)
    ids = datagen.appeals("r2", freezes, agents=agents, supervisors=supervisors, states=[State.SUBMITTED], evidence=0)
    take_next = reverse("admin:appeals_appeal_take_next")
    queue = reverse("admin:appeals_appeal_changelist")
    clients = []
    for agent in agents:
        client = common.client(shared_with=clients[0] if clients else None, raise_request_exception=False)
        client.force_login(agent)
        clients.append(client)
    assert clients[0].get(queue).status_code == 200  # loads the middleware once, before the clock

    def work(i, barrier):
        client, done, statuses, refusals, location = clients[i], 0, [], [], None
        barrier.wait()
        while True:
            if location is None:  # "Take next", at first and whenever a decision lands on the queue
                response = client.post(take_next)
                statuses.append(response.status_code)
                if response.status_code != 302 or response["Location"] == queue:
                    break
                location = response["Location"]
            response = client.post(location, {"_fsm_transition_to": "approve"})
            statuses.append(response.status_code)
            levels = [level for level, _text in messages_of(response)]
            location = None
            if "success" in levels:  # the approval opens the agent's next appeal, already claimed
                done += 1
                if response.status_code == 302 and response["Location"] != queue:
                    location = response["Location"]
            else:
                refusals += [text for _level, text in messages_of(response)]
        return done, statuses, refusals

    results, errors, seconds = run_threads(n_agents, work)
    decided = sum(r[0] for r in results if r)
    statuses = [s for r in results if r for s in r[1]]
    approved = Appeal.objects.filter(pk__in=ids, state=State.APPROVED).count()
    released = Freeze.objects.filter(appeals__pk__in=ids, status=Freeze.Status.RELEASED).count()
    entries = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RELEASE, freeze__appeals__pk__in=ids)
    per_freeze = set(entries.values_list("freeze_id", flat=True))
    claims = AppealEvent.objects.filter(appeal_id__in=ids, transition="claim").count()
    approvals = AppealEvent.objects.filter(appeal_id__in=ids, transition="approve").count()
    common.verify_ledger()
    summary = {
        "agents": n_agents, "appeals": n_appeals, "seconds": seconds, "decisions": decided,
        "decisions_per_s": decided / seconds, "requests": len(statuses), "5xx": sum(s >= 500 for s in statuses),
        "approved": approved, "freezes_released": released, "release_entries": entries.count(),
        "freezes_with_release": len(per_freeze), "claim_events": claims, "approve_events": approvals,
        "per_agent": [r[0] if r else None for r in results], "refusals": [t for r in results if r for t in r[2]][:5],
        "errors": errors[:3],
    }
    passed = (decided == approved == released == entries.count() == len(per_freeze) == claims == approvals
              == n_appeals and summary["5xx"] == 0 and not errors)
    return passed, summary


def main() -> int:
    p = common.parser(__doc__)
    p.add_argument("--threads", type=int, default=64)
    p.add_argument("--agents", type=int, default=8)
    p.add_argument("--appeals", type=int, default=500)
    args = p.parse_args()
    if args.smoke:
        args.threads, args.agents, args.appeals = 8, 4, 20
    common.bootstrap(NAME)

    passed1, one = one_appeal(args.threads)
    common.log(NAME, f"one appeal, {args.threads} approvals: {one}")
    passed2, many = desk(args.agents, args.appeals)
    common.log(NAME, f"desk: { {k: v for k, v in many.items() if k != 'per_agent'} }")
    rows = [
        common.row(f"{args.threads} concurrent approvals of one appeal", measured=one["succeeded"],
                   target=f"1 ok, {args.threads - 1} refused, 0 5xx", passed=passed1, unit="succeeded",
                   note=f"{one['refused_clearly']} refused clearly, {one['5xx']} 5xx, "
                        f"{one['release_entries']} release entry, ledger clean"),
        common.row(f"{args.agents} agents, {args.appeals} appeals (take next + approve)",
                   measured=many["decisions_per_s"], target="each released once, 0 5xx", passed=passed2,
                   unit="decisions/s",
                   note=f"{many['decisions']} decided in {many['seconds']:.1f} s, {many['release_entries']} releases, "
                        f"{many['5xx']} 5xx"),
    ]
    return common.emit(args, NAME, rows, {"one_appeal": one, "desk": many})


if __name__ == "__main__":
    sys.exit(main())
