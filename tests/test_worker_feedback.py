"""`balise worker` says, in French, that it is ready, what each job did and a summary at the end,
without RQ's English log lines (issue 19, item 9)."""

from __future__ import annotations

import re

from balise.queue.queues import COMPLIANCE, enqueue_check, enqueue_publish, queue
from balise.queue.worker import run_worker
from balise.states import State
from tests.conftest import run_cli
from tests.helpers import make_org, make_post, state_of
from tests.test_pipeline import JOB_OFFER, _sign

RQ_WORDS = re.compile(r"\b(Worker|Job|Listening|Cleaning|Successfully|started|registries|OK)\b")


def test_a_burst_says_it_is_ready_each_job_and_a_summary_in_french(env: dict[str, str]) -> None:
    org, author, approver = make_org()
    published = make_post(org, author, text=JOB_OFFER)
    enqueue_check(published, 1)
    run_worker([COMPLIANCE], burst=True, with_scheduler=False)
    (target,) = _sign(published, approver)
    checked = make_post(org, author, text=JOB_OFFER + " Deuxième affichage.")
    enqueue_check(checked, 1)
    enqueue_publish(target, 0)

    done = run_cli(["worker", "--burst"], env)

    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith("Travailleur prêt : files takedown, compliance, publish, mail.")
    assert re.fullmatch(rf"\d\d:\d\d vérification n° {checked} : conforme, en attente d'approbation", lines[1])
    assert re.fullmatch(rf"\d\d:\d\d publication n° {published} sur Plateforme d'essai : publiée", lines[2])
    assert lines[-1].startswith("Bilan : ")
    assert "vérification 1" in lines[-1] and "publication 1" in lines[-1] and "échecs : 0." in lines[-1]
    assert not RQ_WORDS.search(done.stderr + done.stdout), done.stderr + done.stdout
    assert state_of(published) == State.PUBLISHED and state_of(checked) == State.AWAITING_SIGNOFF


def test_a_failed_job_is_one_line_and_counted(env: dict[str, str]) -> None:
    enqueue_publish(424242, 0)  # no such target: the job says so, it is not a failure
    queue(COMPLIANCE).enqueue("math.sqrt", -1, job_id="broken")  # raises ValueError

    done = run_cli(["worker", "--burst"], env)

    assert done.returncode == 0, done.stderr
    assert re.search(r"\d\d:\d\d math.sqrt : échec imprévu", done.stderr), done.stderr
    assert "introuvable dans la base de données" in done.stderr
    assert "échecs : 1." in done.stderr.splitlines()[-1]
    assert "Traceback" not in done.stderr and not RQ_WORDS.search(done.stderr), done.stderr


def test_verbose_keeps_rqs_own_lines(env: dict[str, str]) -> None:
    done = run_cli(["worker", "--burst", "--verbose"], env)
    assert done.returncode == 0, done.stderr
    assert RQ_WORDS.search(done.stderr + done.stdout)


def test_in_english_with_balise_lang_en(env: dict[str, str]) -> None:
    done = run_cli(["worker", "--burst", "--queue", COMPLIANCE], {**env, "BALISE_LANG": "en"})
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[0].startswith("Worker ready: queues compliance.")
    assert done.stderr.splitlines()[-1] == "Summary: 0 job(s) done (—); failures: 0."
