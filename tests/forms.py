"""What a browser posts from a form of a page, for tests that post forms."""
from __future__ import annotations

from bs4 import BeautifulSoup


def form_fields(html: str, form_id: str = "dataset-edit") -> list[tuple[str, str]]:
    """What a browser would post from the form, as (name, value) pairs."""
    form = BeautifulSoup(html, "html.parser").find("form", id=form_id)
    assert form is not None, f"no form #{form_id} on the page"
    for template in form.find_all("div", attrs={"name": "repeating-template"}):
        template.decompose()  # scheming's script removes it before the form is used
    pairs = []
    for element in form.find_all(["input", "select", "textarea"]):
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.name == "select":
            chosen = element.find_all("option", selected=True) or element.find_all("option")[:1]
            if element.get("multiple") is not None:
                chosen = element.find_all("option", selected=True)
            pairs.extend((name, o.get("value", o.text)) for o in chosen)
        elif element.name == "textarea":
            pairs.append((name, element.text))
        elif element.get("type") in ("checkbox", "radio"):
            if element.get("checked") is not None:
                pairs.append((name, element.get("value", "on")))
        elif element.get("type") not in ("submit", "button", "file"):
            pairs.append((name, element.get("value", "")))
    return pairs
