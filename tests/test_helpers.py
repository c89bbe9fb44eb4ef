"""Template helpers (pure functions)."""
import datetime

from ckanext.ocsregistry import helpers as h


def test_region_choices():
    current = h.ocsregistry_current_region_choices()
    assert len(current) == 18
    assert {"value": "76", "label": "Occitanie (76)"} in current
    merged = h.ocsregistry_merged_region_choices()
    assert {"value": "91", "label": "Languedoc-Roussillon (91, Occitanie)"} in merged


def test_form_sections_follow_the_schema_markers():
    fields = [
        {"field_name": "title", "ocsregistry_section": {"fr": "Essentiel"}},
        {"field_name": "name"},
        {"field_name": "amo_price", "ocsregistry_section": {"fr": "Précisions"}},
        {"field_name": "area_km2"},
    ]
    sections = h.ocsregistry_form_sections(fields)
    assert [s["label"] for s in sections] == [{"fr": "Essentiel"}, {"fr": "Précisions"}]
    assert [[f["field_name"] for f in s["fields"]] for s in sections] == [
        ["title", "name"], ["amo_price", "area_km2"]]


def test_review_due():
    today = datetime.date(2025, 6, 15)
    record = {"id": "x", "info_updated": "2024-06-15", "review_frequency_months": "12"}
    assert not h.ocsregistry_review_due(record, today)
    assert h.ocsregistry_review_due(dict(record, info_updated="2024-06-14"), today)
    assert h.ocsregistry_review_due(dict(record, review_frequency_months="6",
                                         info_updated="2024-12-01"), today)
    # never dated: counted from its creation (review.py)
    assert h.ocsregistry_review_due({"id": "x", "metadata_created": "2024-06-14T09:00:00"}, today)
    assert not h.ocsregistry_review_due({"id": "x", "metadata_created": "2025-01-02T09:00:00"},
                                        today)
    assert not h.ocsregistry_review_due({}, today)  # a new record being filled in
