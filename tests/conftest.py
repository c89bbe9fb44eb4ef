"""Shared fixtures: CRIGE organisations, their users, and valid records."""
from __future__ import annotations

import copy
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

VALID_RECORD: dict[str, Any] = {
    "type": "ocs",
    "title": "OCS GE2 Grand Est",
    "name": "ocs-ge2-grand-est",
    "internal_id": "GE-2019.v2",
    "region_code": "44",
    "ocs_characteristic": "regional_specific",
    "ocs_characteristic_detail": "OCS régionale grande échelle, 2 dimensions",
    "vintages": [
        {"year": 2010, "status": "available"},
        {"year": 2019, "status": "available", "note": "tous les départements"},
    ],
    "dimensions": ["land_cover", "land_use"],
    "class_count": "52",
    "class_details": "Nomenclature en 5 niveaux",
    "level_count": "5",
    "level_details": "Niveau 5 : imperméabilisation",
    "mmu": "Entre 500 m2 et 1000 m2. Jusqu'à 300 m2 pour les espaces verts urbains",
    "mmu_m2": "500",
    "imagery": "photographies aériennes",
    "producers": ["CLS", "TTI"],
    "data_url": "https://www.geograndest.fr/ocs",
    "viewer_url": "https://ocs.geograndest.fr/explore",
    "info_updated": "2024-03-31",
    "info_status": "confirmed",
    "notes": "Base régionale d'occupation du sol à grande échelle.",
    "interpretation_scale": "1:2 500",
    "rendering_scale": "1:5 000",
    "amo_exists": "yes",
    "amo_content": "Rédaction du cahier des charges",
    "amo_price": "45000",
    "amo_duration_months": "6",
    "amo_contractor": "Bureau d'études X",
    "quality_control": "Contrôle exhaustif par un prestataire distinct (cormorandrin)",
    "production_price": "1250000.50",
    "project_duration_months": "36",
    "production_duration_months": "24",
    "area_km2": "57441",
    "funding_visibility": "restricted",
    "funders": "Région Grand Est, FEDER, zanzibarfund",
    "funding_details": "Région 50 %, FEDER 50 %",
    "services_crige": "GéoGrandEst",
    "services_viewer": "Visionneuse et indicateurs",
    "contact_name": "Équipe OCS",
    "contact_email": "contact@geograndest.fr",
    "uses": "Suivi de l'artificialisation, SRADDET",
    "review_frequency_months": "12",
}

RESTRICTED_VALUES = {
    "amo_price": 45000,
    "production_price": 1250000.5,
    "funders": "Région Grand Est, FEDER, zanzibarfund",
    "funding_details": "Région 50 %, FEDER 50 %",
}


def record(**overrides: Any) -> dict[str, Any]:
    data = copy.deepcopy(VALID_RECORD)
    data.update(overrides)
    return data


@pytest.fixture
def clean_db(reset_db, migrate_db_for):
    """CKAN's clean_db, plus the tables of the plugins the registry enables."""
    reset_db()
    migrate_db_for("activity")
    migrate_db_for("harvest")


@pytest.fixture
def sysadmin():
    return factories.Sysadmin()


@pytest.fixture
def crige_grand_est():
    """A CRIGE covering Grand Est, with an admin, an editor and a plain member."""
    admin, editor, member = factories.User(), factories.User(), factories.User()
    org = factories.Organization(
        name="geograndest", title="GéoGrandEst", regions_covered=["44"],
        users=[
            {"name": admin["name"], "capacity": "admin"},
            {"name": editor["name"], "capacity": "editor"},
            {"name": member["name"], "capacity": "member"},
        ],
    )
    return {"org": org, "admin": admin, "editor": editor, "member": member}


@pytest.fixture
def crige_occitanie():
    editor = factories.User()
    org = factories.Organization(
        name="openig", title="OPenIG", regions_covered=["76"],
        users=[{"name": editor["name"], "capacity": "editor"}],
    )
    return {"org": org, "editor": editor}


def create_record(crige: dict, **overrides: Any) -> dict[str, Any]:
    """Create a record as the CRIGE's editor, through the action layer."""
    data = record(owner_org=crige["org"]["id"], **overrides)
    return call_action(
        "package_create", context={"user": crige["editor"]["name"], "ignore_auth": False}, **data)
