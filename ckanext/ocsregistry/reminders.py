"""Monthly review reminders: each CRIGE's admins get the list of their records
due for review (``ckan ocsregistry remind``).

One message per CRIGE to each of its admins (organisation members with the
admin capacity), in French, sent with CKAN's mailer (``smtp.*`` options). The
command keeps no state: run again, it sends the same lists, so a scheduler can
run it monthly and a failed CRIGE can be retried alone (``--organization``).
A failure (no admin, an admin without e-mail, the SMTP server refusing) is
reported for its CRIGE and the others are still sent.
"""
from __future__ import annotations

import dataclasses
import datetime
import email
import email.policy
from email.message import EmailMessage
from typing import Any, Iterable, Optional

from babel.dates import format_date
from ckan import model
from ckan.lib import mailer
from ckan.plugins import toolkit as tk

from ckanext.ocsregistry import record

__all__ = ["Reminder", "plan", "compose", "send"]

# RFC 3834: an automatic message; out-of-office responders must not answer it.
HEADERS = {"Auto-Submitted": "auto-generated"}


@dataclasses.dataclass
class Reminder:
    """What one CRIGE's admins are told, and what became of it."""
    organization: dict[str, Any]
    records: list[dict[str, Any]]
    recipients: list[dict[str, str]] = dataclasses.field(default_factory=list)
    sent: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)

    @property
    def name(self) -> str:
        return self.organization["name"]


def _admins(context: dict, org_id: str) -> tuple[list[dict[str, str]], list[str]]:
    """The CRIGE's active admins with an e-mail address, and the problems found."""
    members = tk.get_action("member_list")(dict(context), {
        "id": org_id, "object_type": "user", "capacity": "admin"})
    recipients, errors = [], []
    for user_id, _type, _capacity in members:
        user = model.User.get(user_id)
        # The site user (which made organisations created by commands) is no person.
        if user is None or user.state != "active" or user.name == context["user"]:
            continue
        if not (user.email or "").strip():
            errors.append(f"admin {user.name} has no e-mail address")
            continue
        recipients.append({"name": user.display_name or user.name, "email": user.email.strip(),
                           "user": user.name})
    if not recipients and not errors:
        errors.append("no admin (organisation member with the admin capacity)")
    return recipients, errors


def plan(organizations: Optional[Iterable[str]] = None) -> list[Reminder]:
    """The reminders to send: every CRIGE (or those named) with records due,
    read from the search index as the site user (private records included)."""
    context = record.site_context()
    names = list(organizations) if organizations else tk.get_action("organization_list")(
        dict(context), {"limit": 1000})
    reminders = []
    for name in names:
        try:
            listed = tk.get_action("ocsregistry_review_list")(dict(context), {
                "id": name, "due_only": True})
        except tk.ObjectNotFound:
            reminders.append(Reminder(organization={"name": name}, records=[],
                                      errors=["no such organisation"]))
            continue
        if not listed["records"]:
            continue
        reminder = Reminder(organization=listed["organization"], records=listed["records"])
        reminder.recipients, reminder.errors = _admins(context, listed["organization"]["id"])
        reminders.append(reminder)
    return reminders


def _french_date(iso: str) -> str:
    return format_date(datetime.date.fromisoformat(iso), format="long", locale="fr")


def _folding_safe(subject: str) -> str:
    """The subject, or the same with no-break spaces when Python's e-mail
    package would lose a space folding it (a long non-ASCII subject folded at a
    space between two encoded words: "fiches OCS" arrives as "fichesOCS")."""
    probe = EmailMessage()
    probe["Subject"] = subject
    parsed = email.message_from_string(probe.as_string(), policy=email.policy.default)
    return subject if str(parsed["Subject"]) == subject else subject.replace(" ", "\u00a0")


def compose(reminder: Reminder, recipient_name: str) -> tuple[str, str]:
    """The subject and French text of a CRIGE's reminder."""
    site_url = tk.config.get("ckan.site_url", "").rstrip("/")
    site_title = tk.config.get("ckan.site_title") or site_url
    crige = reminder.organization.get("title") or reminder.name
    n = len(reminder.records)
    plural = "s" if n > 1 else ""
    subject = _folding_safe(f"[{site_title}] {n} fiche{plural} OCS à relire – {crige}")
    lines = [
        f"Bonjour {recipient_name},",
        "",
        (f"{n} fiche{plural} OCS de {crige} {'sont' if n > 1 else 'est'} à relire : "
         "la date de mise à jour des informations, augmentée de la fréquence de "
         "relecture de la fiche, est passée."),
        "",
    ]
    for r in reminder.records:
        lines.append(f"- {r['title']} : à relire depuis le {_french_date(r['due_date'])}")
        lines.append(f"  {r['url']}")
    lines += [
        "",
        ("Vérifiez les informations de chaque fiche et corrigez-la si besoin ; si rien "
         "n'a changé, le bouton « Marquer comme relue aujourd'hui » de sa page met la "
         "date de mise à jour des informations à jour, sans rien changer d'autre."),
        "",
        f"Les fiches de {crige} par date de relecture :",
        f"{site_url}/organization/{reminder.name}/review",
        "",
        "--",
        f"Message envoyé chaque mois par {site_title} aux administrateurs de {crige}.",
    ]
    return subject, "\n".join(lines) + "\n"


def send(reminders: list[Reminder], dry_run: bool = False, echo=print) -> None:
    """Send each reminder to each of its recipients (or print it, ``dry_run``);
    an SMTP failure is recorded on its reminder and the others go on."""
    for reminder in reminders:
        for recipient in reminder.recipients:
            subject, body = compose(reminder, recipient["name"])
            if dry_run:
                echo(f"--- would send to {recipient['name']} <{recipient['email']}>\n"
                     f"Subject: {subject}\n\n{body}")
                continue
            try:
                mailer.mail_recipient(recipient["name"], recipient["email"], subject, body,
                                      headers=dict(HEADERS))
            except Exception as e:  # noqa: BLE001 - reported for this CRIGE, the others go on
                reminder.errors.append(f"sending to {recipient['email']} failed: "
                                       f"{type(e).__name__}: {e}")
            else:
                reminder.sent.append(recipient["email"])
