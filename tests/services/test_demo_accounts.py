"""The demo's accounts and selection round, loaded by `cnnt demo`: each account signs in with the password
the README lists, the round being scored has the jurors' scores, and every call stage is on show."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from app.config import Settings
from app.db import make_engine
from app.domain.calls import CallStage
from app.domain.states import ApplicationState
from app.domain.validity import today_in
from app.files.dossier import stored_path
from app.main import create_app
from app.models import Application, ApplicationFile, JurorReview, ProducerAccount, RoundCall, RoundJuror, User
from app.services.catalog.calls import list_calls
from app.services.demo.accounts import ADMIN, JURORS, OFFICE, PRODUCER
from app.services.demo.calls import add_demo_calls, add_published_call
from app.services.demo.entries import add_demo_round
from tests.producers.helpers import password_sign_in
from tests.search.relevance_judgments import load_demo_catalog


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The demo loaded once, as `make run` loads it, for every test of this module."""
    return load_demo_catalog(tmp_path_factory.mktemp("demo-accounts"))


@pytest.fixture(scope="module")
def demo_engine(demo: Settings) -> Iterator[Engine]:
    """An engine on the demo's database."""
    engine = make_engine(demo.sqlalchemy_url)
    yield engine
    engine.dispose()


@pytest.fixture
def demo_client(demo: Settings) -> Iterator[TestClient]:
    """A fresh client (no one signed in) on the app over the demo's data."""
    with TestClient(create_app(demo)) as client:
        yield client


def _office_sign_in(client: TestClient, spec: tuple[str, str, str]) -> str:
    """Sign in through the office login form with the README's credentials; where it sends the user."""
    token = client.get("/quan-ly/dang-nhap").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    data = {"email": spec[0], "password": spec[2], "csrf_token": token}
    response = client.post("/quan-ly/dang-nhap", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def _scoring_round(engine: Engine) -> int:
    """The id of the round the demo jurors are appointed to."""
    with Session(engine) as session:
        return session.exec(select(RoundJuror.round_id)).first() or 0


@pytest.mark.parametrize("spec", [ADMIN, OFFICE])
def test_demo_office_accounts_reach_the_office_pages(demo_client: TestClient,
                                                     spec: tuple[str, str, str]) -> None:
    _office_sign_in(demo_client, spec)
    page = demo_client.get("/quan-ly")
    assert page.status_code == 200 and spec[1] in page.text


@pytest.mark.parametrize("spec", JURORS)
def test_demo_jurors_sign_in_to_their_round(demo_client: TestClient, spec: tuple[str, str, str]) -> None:
    assert _office_sign_in(demo_client, spec) == "/giam-khao"
    page = demo_client.get("/giam-khao")
    assert page.status_code == 200 and "Chưa có đợt" not in page.text
    round_id = page.text.split('href="/giam-khao/dot/', 1)[1].split('"', 1)[0]
    assert demo_client.get(f"/giam-khao/dot/{round_id}").status_code == 200


def test_demo_producer_signs_in_and_sees_its_applications(demo_client: TestClient,
                                                          demo_engine: Engine) -> None:
    assert password_sign_in(demo_client, email=PRODUCER[0], password=PRODUCER[2]) == 303
    page = demo_client.get("/tai-khoan")
    assert page.status_code == 200
    with Session(demo_engine) as session:
        account = session.exec(select(ProducerAccount).where(ProducerAccount.email == PRODUCER[0])).one()
        states = sorted(a.state for a in session.exec(select(Application)
                                                      .where(Application.account_id == account.id)).all())
    assert states == [ApplicationState.ACCEPTED, ApplicationState.DRAFT]
    assert ApplicationState.DRAFT.label in page.text and ApplicationState.ACCEPTED.label in page.text


def test_scoring_board_shows_the_demo_jurors_totals_and_conflict(demo_client: TestClient,
                                                               demo_engine: Engine) -> None:
    _office_sign_in(demo_client, ADMIN)
    page = demo_client.get(f"/quan-ly/dot-binh-chon/{_scoring_round(demo_engine)}/cham-diem")
    assert page.status_code == 200
    assert JURORS[0][1] in page.text and JURORS[1][1] in page.text
    assert "<td>85</td>" in page.text and "<td>80</td>" in page.text  # the first entry's two totals
    assert "Xung đột lợi ích</td>" in page.text and "Chưa chấm" not in page.text


def test_demo_applications_are_consistent(demo: Settings, demo_engine: Engine) -> None:
    with Session(demo_engine) as session:
        accepted = session.exec(select(Application)
                                .where(Application.state == ApplicationState.ACCEPTED)).all()
        files = session.exec(select(ApplicationFile)).all()
        reviews = session.exec(select(JurorReview)).all()
    assert len(accepted) == 3 and all(a.submitted_at is not None and a.self_scores != "{}" for a in accepted)
    assert {f.application_id for f in files} == {a.id for a in accepted}
    assert all(stored_path(demo.dossier_path, f.content_hash, f.media_type).is_file() for f in files)
    assert len(reviews) == 6 and sum(r.conflict for r in reviews) == 1


def test_demo_shows_a_call_in_every_stage(demo_client: TestClient, demo_engine: Engine,
                                          demo: Settings) -> None:
    with Session(demo_engine) as session:
        stages = [s.stage for s in list_calls(session=session, today=today_in(demo.tz))]
    assert stages == [CallStage.receiving, CallStage.scoring, CallStage.published]
    page = demo_client.get("/nop-ho-so")
    assert page.status_code == 200 and all(stage.label in page.text for stage in stages)


def test_loading_the_demo_round_again_reuses_the_accounts(demo: Settings, demo_engine: Engine,
                                                         tmp_path: Path) -> None:
    today = today_in(demo.tz)
    with Session(demo_engine) as session:
        users = session.exec(select(func.count()).select_from(User)).one()
        producers = session.exec(select(func.count()).select_from(ProducerAccount)).one()
        calls = add_demo_calls(session=session, today=today)
        assert add_published_call(session=session, today=today) is None
        emails = add_demo_round(session=session, receiving=calls[0], scoring=calls[1], dossier_dir=tmp_path)
        assert emails == [ADMIN[0], OFFICE[0], JURORS[0][0], JURORS[1][0], PRODUCER[0]]
        assert session.exec(select(func.count()).select_from(User)).one() == users
        assert session.exec(select(func.count()).select_from(ProducerAccount)).one() == producers
        assert session.exec(select(func.count()).select_from(RoundCall)).one() == 5
        session.rollback()
