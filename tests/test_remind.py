"""``ckan ocsregistry remind``: each CRIGE's admins get their records due for
review, through CKAN's mailer, received by a real SMTP server on loopback
(aiosmtpd)."""
from __future__ import annotations

import datetime
import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller
from ckan.cli.cli import ckan
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.ocsregistry import review

from .conftest import create_record

pytestmark = pytest.mark.usefixtures("with_plugins", "with_extended_cli", "clean_db",
                                     "clean_index")


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpt, m in self.messages if address in rcpt]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(ckan_config):
    """A real SMTP server on a free loopback port, and CKAN pointed at it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    ckan_config["smtp.server"] = f"127.0.0.1:{port}"
    ckan_config["smtp.mail_from"] = "registre@ocs.example.org"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def registry(crige_grand_est, crige_occitanie):
    """Grand Est: two records due and one recent; Occitanie (with an admin): one
    private record due; a third CRIGE with records due but no admin."""
    occ_admin = factories.User(email="admin@openig.example.org")
    call_action("organization_member_create", id=crige_occitanie["org"]["id"],
                username=occ_admin["name"], role="admin")
    ge_admin = crige_grand_est["admin"]
    create_record(crige_grand_est, name="ocs-ge-old", title="OCS GE 2010",
                  info_updated="2020-01-15")
    create_record(crige_grand_est, name="ocs-ge-half", title="OCS GE semestrielle",
                  info_updated="2023-06-30", review_frequency_months="6")
    create_record(crige_grand_est, name="ocs-ge-fresh", title="OCS GE fraîche",
                  info_updated=(review.today() - datetime.timedelta(days=10)).isoformat())
    create_record(crige_occitanie, name="ocs-occ-old", title="OCS Occitanie", region_code="76",
                  info_updated="2022-02-01", private=True)
    orphan_editor = factories.User()
    orphan = factories.Organization(name="crige-sans-admin", title="CRIGE sans admin",
                                    regions_covered=["93"], users=[
                                        {"name": orphan_editor["name"], "capacity": "editor"}])
    create_record({"org": orphan, "editor": orphan_editor}, name="ocs-paca-old",
                  title="OCS PACA", region_code="93", info_updated="2021-05-01")
    return {"ge_admin": ge_admin["email"], "occ_admin": occ_admin["email"]}


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_each_crige_admin_gets_one_message_with_its_records(cli, smtp, registry):
    result = cli.invoke(ckan, ["ocsregistry", "remind"])
    assert result.exit_code == 1, result.output  # the CRIGE without admin failed
    assert "crige-sans-admin: error: no admin" in result.output
    assert len(smtp.messages) == 2  # one per CRIGE with an admin, none for the others

    (ge,) = smtp.to(registry["ge_admin"])
    # (no-break spaces where Python's folding would have lost a space)
    assert ge["Subject"].replace("\u00a0", " ").endswith("2 fiches OCS à relire – GéoGrandEst")
    assert ge["Auto-Submitted"] == "auto-generated"
    assert ge["From"].endswith("<registre@ocs.example.org>")
    body = _body(ge)
    assert "http://test.ckan.net/ocs/ocs-ge-old" in body
    assert "http://test.ckan.net/ocs/ocs-ge-half" in body
    assert "ocs-ge-fresh" not in body and "ocs-occ-old" not in body
    # most overdue first, with the date in French
    assert body.index("ocs-ge-old") < body.index("ocs-ge-half")
    assert "à relire depuis le 15 janvier 2021" in body
    assert "http://test.ckan.net/organization/geograndest/review" in body

    (occ,) = smtp.to(registry["occ_admin"])
    assert "1 fiche OCS à relire – OPenIG" in occ["Subject"].replace("\u00a0", " ")
    assert "http://test.ckan.net/ocs/ocs-occ-old" in _body(occ)  # private records too
    assert "ocs-ge-old" not in _body(occ)


def test_dry_run_sends_nothing(cli, smtp, registry):
    result = cli.invoke(ckan, ["ocsregistry", "remind", "--dry-run"])
    assert smtp.messages == []
    assert "would send to" in result.output and registry["ge_admin"] in result.output
    assert "http://test.ckan.net/ocs/ocs-ge-old" in result.output
    assert "dry run: nothing sent" in result.output


def test_one_crige_can_be_retried_alone(cli, smtp, registry):
    result = cli.invoke(ckan, ["ocsregistry", "remind", "--organization", "openig"])
    assert result.exit_code == 0, result.output
    assert [rcpt for rcpt, _ in smtp.messages] == [[registry["occ_admin"]]]
    unknown = cli.invoke(ckan, ["ocsregistry", "remind", "--organization", "nope"])
    assert unknown.exit_code == 1 and "nope: error: no such organisation" in unknown.output


def test_smtp_failure_and_missing_address_are_reported(cli, ckan_config, registry):
    ckan_config["smtp.server"] = f"127.0.0.1:{_free_port()}"  # nobody listens there
    ckan_config["smtp.mail_from"] = "registre@ocs.example.org"
    result = cli.invoke(ckan, ["ocsregistry", "remind", "--organization", "geograndest",
                               "--organization", "openig"])
    assert result.exit_code == 1
    assert "geograndest: error: sending to" in result.output
    assert "openig: error: sending to" in result.output  # the first failure did not stop it


def test_an_admin_without_address_is_reported(cli, smtp, registry, crige_grand_est):
    from ckan import model

    user = model.User.get(crige_grand_est["admin"]["id"])
    user.email = ""
    model.Session.commit()
    result = cli.invoke(ckan, ["ocsregistry", "remind", "--organization", "geograndest"])
    assert result.exit_code == 1
    assert f"geograndest: error: admin {user.name} has no e-mail address" in result.output
    assert smtp.messages == []


def test_a_missing_sender_address_is_one_clear_error(cli, ckan_config, registry):
    ckan_config["smtp.mail_from"] = ""
    result = cli.invoke(ckan, ["ocsregistry", "remind"])
    assert result.exit_code == 1 and "smtp.mail_from is not set" in result.output
