"""DCAT-AP 3 / GeoDCAT-AP for registry records (ckanext-dcat profile ``ocsregistry_dcat_ap``).

Builds on ckanext-dcat's ``euro_dcat_ap_3`` (title, description, publisher from
the CRIGE, contact point, resources as distributions) and adds the field card.
The field card -> DCAT mapping is documented in one place: README.md, section
"Harvesting and DCAT", the table under "DCAT-AP 3 / GeoDCAT-AP".

Each part of the mapping has a writer, ``_graph_<part>``, and a reader,
``_parse_<part>``, for the same fields, called in the same order by
``graph_from_dataset`` and ``parse_dataset``: a field added to one needs the
other, or the CKAN -> DCAT -> CKAN round trip (tested) loses it.

Restricted fields (prices, funders) are never written, whoever asks. The fields
DCAT has no property for are listed in ``NOT_CARRIED``.
"""
from __future__ import annotations

import logging
from typing import Any, Iterable, Optional

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD, Namespace

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import EuropeanDCATAP3Profile
from ckanext.dcat.profiles.base import ADMS, DCAT, DCT, FOAF, GSP, LOCN, VCARD
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.ocsregistry import licences, record, regions, restricted, urls
from ckanext.ocsregistry.record import DATASET_TYPE

log = logging.getLogger(__name__)

DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
GEODCATAP = Namespace("http://data.europa.eu/930/")
SDMX_ATTR = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
PROV = Namespace("http://www.w3.org/ns/prov#")
INSEE_REGION = "http://id.insee.fr/geo/region/"
INSPIRE_LAND_COVER = URIRef("http://inspire.ec.europa.eu/theme/lc")
EU_THEME_ENVIRONMENT = URIRef("http://publications.europa.eu/resource/authority/data-theme/ENVI")
THEMES = {
    INSPIRE_LAND_COVER: {"fr": "Occupation des terres", "en": "Land cover"},
    EU_THEME_ENVIRONMENT: {"fr": "Environnement", "en": "Environment"},
}
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/"
LANGUAGES = {"fr": "FRA", "en": "ENG"}
CATALOG_DESCRIPTION = "Registre des bases d'occupation du sol (OCS) régionales"
EU_FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
DATA_LINK_FRAGMENT = "#ocsregistry-data-link"
# Agents typed with the ADMS publisher types (GeoDCAT-AP: dct:type, a skos:Concept).
ADMS_PUBLISHER_TYPES = "http://purl.org/adms/publishertype/1.0"
REGIONAL_AUTHORITY = URIRef("http://purl.org/adms/publishertype/RegionalAuthority")
QUDT_UNITS = URIRef("http://qudt.org/vocab/unit")
UNIT_LABELS = {"http://qudt.org/vocab/unit/M2": "m²", "http://qudt.org/vocab/unit/KiloM2": "km²"}
# Concept schemes of the registry's own concepts (GeoDCAT-AP: declared, with a title).
SCHEME_TITLES = {
    "characteristic": {"fr": "Caractéristiques des bases OCS", "en": "Land-cover base characteristics"},
    "dimension": {"fr": "Dimensions des bases OCS", "en": "Land-cover base dimensions"},
    "vintage-status": {"fr": "États des millésimes", "en": "Vintage statuses"},
    "metric": {"fr": "Mesures des bases OCS", "en": "Land-cover base measures"},
}
METRIC_LABELS = {
    "minimum-mapping-unit": {"fr": "Unité minimale de collecte", "en": "Minimum mapping unit"},
    "class-count": {"fr": "Nombre de postes de la nomenclature", "en": "Number of classes"},
    "level-count": {"fr": "Nombre de niveaux de la nomenclature", "en": "Number of levels"},
    "area": {"fr": "Surface couverte", "en": "Area covered"},
}
LAND_COVER_KEYWORD = "occupation du sol"

# name -> (metric id, unit)
MEASURES = {
    "mmu_m2": ("minimum-mapping-unit", "http://qudt.org/vocab/unit/M2"),
    "class_count": ("class-count", None),
    "level_count": ("level-count", None),
    "area_km2": ("area", "http://qudt.org/vocab/unit/KiloM2"),
}
METRIC_FIELDS = {metric: name for name, (metric, _unit) in MEASURES.items()}

# Fields of the field card with no DCAT-AP / GeoDCAT-AP property: not written,
# so lost in a CKAN -> DCAT -> CKAN round trip (tested).
NOT_CARRIED = frozenset((
    "ocs_characteristic_detail", "rendering_scale", "info_updated", "info_status",
    "amo_exists", "amo_content", "amo_duration_months", "amo_contractor",
    "project_duration_months", "production_duration_months", "funding_visibility",
    "services_crige", "services_viewer", "uses", "review_frequency_months",
))


def vocabulary_base() -> str:
    return tk.config.get("ckan.site_url", "").rstrip("/") + "/ocsregistry/vocab/"


def _concept_value(uri: Any, scheme: str) -> Optional[str]:
    """``…/ocsregistry/vocab/<scheme>/<value>`` -> value, whatever the site."""
    marker = f"/ocsregistry/vocab/{scheme}/"
    text = str(uri)
    return text.split(marker, 1)[1] if marker in text else None


def _has_schema(dataset_type: str) -> bool:
    try:
        return bool(scheming_get_dataset_schema(dataset_type))
    except Exception:  # scheming not loaded: nothing to look up
        return True


def _number(value: Any) -> Optional[Literal]:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number.is_integer():
        return Literal(int(number), datatype=XSD.integer)
    return Literal(str(value), datatype=XSD.decimal)


def _text(node: Any) -> Optional[str]:
    # rdflib takes an empty literal, and a literal 0 or false, as false: no text.
    return str(node) if node else None


def _last(values: Iterable[Any]) -> Any:
    """Of a property given more than once, the last non-empty value read."""
    found = None
    for value in values:
        if value:
            found = value
    return found


def _put(record: dict[str, Any], key: str, value: Any) -> None:
    """``record[key] = value``, unless the graph had nothing (None, "" or [])."""
    if value:
        record[key] = value


def _wkt_extent(code: str) -> Optional[tuple[str, str]]:
    """The region's bounding box and its centre (GeoDCAT-AP recommends a centroid), as WKT."""
    box = regions.bbox([code])
    if box is None:
        return None
    w, s, e, n = box
    return (f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))",
            f"POINT({round((w + e) / 2, 4)} {round((s + n) / 2, 4)})")


# The parts of a record, each written by a ``_graph_<part>`` method and read
# back by the matching ``_parse_<part>``, in this order (after ckanext-dcat's
# own ``euro_dcat_ap_3`` part: title, description, dates, contact...).
RECORD_PARTS = ("spatial", "concepts", "vintages", "agents_and_links", "measurements",
                "quality", "distributions", "publication")
NOT_SPECIFIED = "notspecified"


def _frequency_codes() -> set[str]:
    """The EU frequencies the schema offers (others, from a foreign source, are left out)."""
    return {c["value"] for c in record.choices(record.schema_field("update_frequency"))}


def generated_description(data: dict[str, Any]) -> str:
    """A French description built from the card's facts, for a record whose
    notes are empty (DCAT-AP 3 requires one). Uses only fields the DCAT
    mapping carries, so the harvester can recognise it and leave notes empty."""
    region = regions.get(str(data.get("region_code") or ""))
    text = f"« {data.get('title') or data.get('name') or ''} » : base d'occupation du sol"
    if region is not None:
        text += f" de la région {region.name}"
    text += "."
    if data.get("ocs_characteristic"):
        text += " Caractéristique : " + record.choice_label(
            record.schema_field("ocs_characteristic"), data["ocs_characteristic"], "fr") + "."
    status = record.schema_field("vintages", "status")
    vintages = sorted((v for v in data.get("vintages") or [] if str(v.get("year") or "").isdigit()),
                      key=lambda v: int(v["year"]))
    if vintages:
        text += " Millésimes : " + ", ".join(
            f"{int(v['year'])} ({record.choice_label(status, v.get('status'), 'fr').lower()})"
            for v in vintages) + "."
    dimensions = record.schema_field("dimensions")
    if data.get("dimensions"):
        text += " Dimensions : " + ", ".join(
            record.choice_label(dimensions, d, "fr").lower() for d in sorted(data["dimensions"])) + "."
    return text + " Fiche du registre national des bases d'occupation du sol régionales."

class OcsRegistryDCATAPProfile(EuropeanDCATAP3Profile):
    """DCAT-AP 3 + GeoDCAT-AP for ``ocs`` records; other datasets as euro_dcat_ap_3."""

    def __init__(self, graph: Any, dataset_type: str = "dataset",
                 compatibility_mode: bool = False) -> None:
        # ckanext-dcat's endpoints and RDF harvester ask for the "dataset" schema,
        # which a registry site need not declare: the registry's schema stands in.
        if not _has_schema(dataset_type):
            dataset_type = DATASET_TYPE
        super().__init__(graph, dataset_type, compatibility_mode)

    # Output

    def graph_from_catalog(self, catalog_dict: dict[str, Any], catalog_ref: Any) -> None:
        super().graph_from_catalog(catalog_dict, catalog_ref)
        g = self.g
        for language in list(g.objects(catalog_ref, DCT.language)):
            if isinstance(language, Literal):
                g.remove((catalog_ref, DCT.language, language))
                uri = URIRef(EU_LANGUAGE + LANGUAGES.get(str(language)[:2], "FRA"))
                g.add((catalog_ref, DCT.language, uri))
                g.add((uri, RDF.type, DCT.LinguisticSystem))
        if g.value(catalog_ref, DCT.description) is None:
            g.add((catalog_ref, DCT.description, Literal(
                tk.config.get("ckan.site_description") or CATALOG_DESCRIPTION, lang="fr")))
        if g.value(catalog_ref, DCT.publisher) is None:
            # An IRI, not a blank node: two pages of the catalogue merged name
            # one publisher.
            publisher = URIRef(tk.config.get("ckan.site_url", "").rstrip("/") + "/#publisher")
            g.add((catalog_ref, DCT.publisher, publisher))
            g.add((publisher, RDF.type, FOAF.Agent))
            g.add((publisher, FOAF.name, Literal(
                tk.config.get("ckanext.ocsregistry.catalog_publisher")
                or tk.config.get("ckan.site_title") or "CKAN")))
            self._agent_type(publisher)
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        if dataset_dict.get("type") != DATASET_TYPE:
            super().graph_from_dataset(dataset_dict, dataset_ref)
        else:
            hidden = set(restricted.fields(DATASET_TYPE)) | {"spatial"}
            public = {k: v for k, v in dataset_dict.items() if k not in hidden}
            super().graph_from_dataset(public, dataset_ref)
            self._bind()
            for part in RECORD_PARTS:
                getattr(self, f"_graph_{part}")(public, dataset_ref)
            self._explicit_classes(dataset_ref)
            for publisher in self.g.objects(dataset_ref, DCT.publisher):
                self._agent_type(publisher)  # the CRIGE
        self._drop_unsafe_iris(dataset_ref, dataset_dict.get("name"))

    def _drop_unsafe_iris(self, ref: Any, name: Optional[str]) -> None:
        """Leave out the links of this dataset rdflib cannot write.

        The validators store URI forms only, but a record written before them,
        or around them (SQL, an old harvest), must not make the serialiser fail
        for the whole catalogue: the link is left out and logged. Walks only the
        nodes this dataset reaches, so a catalogue page costs one walk per dataset.
        """
        unsafe, seen, todo = [], set(), [ref]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for predicate, obj in self.g.predicate_objects(node):
                if isinstance(obj, URIRef) and not urls.is_safe_iri(str(obj)):
                    unsafe.append((node, predicate, obj))
                elif isinstance(obj, (URIRef, BNode)):
                    todo.append(obj)
        for node, predicate, obj in unsafe:
            self.g.remove((node, predicate, obj))
            self.g.remove((obj, None, None))
            log.warning("DCAT: %s: left out %s, not a valid IRI: %.200r", name, predicate, str(obj))

    def _explicit_classes(self, ref: Any) -> None:
        """State the classes DCAT-AP 3's shapes check, for consumers without inference."""
        for contact in self.g.objects(ref, DCAT.contactPoint):
            self.g.add((contact, RDF.type, VCARD.Kind))
            for email in self.g.objects(contact, VCARD.hasEmail):
                if isinstance(email, URIRef):
                    self.g.add((email, RDF.type, VCARD.Email))
        for distribution in self.g.objects(ref, DCAT.distribution):
            for predicate in (DCAT.accessURL, DCAT.downloadURL):
                for url in self.g.objects(distribution, predicate):
                    self.g.add((url, RDF.type, RDFS.Resource))

    def _bind(self) -> None:
        for prefix, namespace in (("dqv", DQV), ("oa", OA), ("geodcatap", GEODCATAP), ("sdmx-attribute", SDMX_ATTR),
                                  ("locn", LOCN), ("gsp", GSP), ("adms", ADMS), ("prov", PROV)):
            self.g.bind(prefix, namespace)

    def _scheme(self, uri: Any, titles: dict[str, str]) -> Any:
        self.g.add((uri, RDF.type, SKOS.ConceptScheme))
        for lang, text in titles.items():
            self.g.add((uri, DCT.title, Literal(text, lang=lang)))
        return uri

    def _labelled_concept(self, uri: Any, labels: dict[str, str], scheme: Any = None) -> Any:
        self.g.add((uri, RDF.type, SKOS.Concept))
        for lang, text in labels.items():
            self.g.add((uri, SKOS.prefLabel, Literal(text, lang=lang)))
        if scheme is not None:
            self.g.add((uri, SKOS.inScheme, scheme))
        return uri

    def _registry_scheme(self, scheme: str) -> URIRef:
        return self._scheme(URIRef(f"{vocabulary_base()}{scheme}"), SCHEME_TITLES[scheme])

    def _concept(self, scheme: str, value: str, field: dict) -> URIRef:
        return self._labelled_concept(
            URIRef(f"{vocabulary_base()}{scheme}/{value}"),
            {lang: record.choice_label(field, value, lang) for lang in record.LANGUAGES},
            self._registry_scheme(scheme))

    def _agent_type(self, agent: Any) -> None:
        """A CRIGE (or the registry) is a regional public body (ADMS publisher type)."""
        if self.g.value(agent, DCT.type) is None:
            self.g.add((agent, DCT.type, REGIONAL_AUTHORITY))
            self._labelled_concept(
                REGIONAL_AUTHORITY, {"fr": "Autorité régionale", "en": "Regional authority"},
                self._scheme(URIRef(ADMS_PUBLISHER_TYPES), {"en": "ADMS publisher types"}))

    def _graph_spatial(self, data: dict, ref: Any) -> None:
        g = self.g
        codes = [data.get("region_code")] + list(data.get("former_region_codes") or [])
        for code in (str(c) for c in codes if c):
            region = regions.get(code)
            location = URIRef(INSEE_REGION + code)
            g.add((ref, DCT.spatial, location))
            g.add((location, RDF.type, DCT.Location))
            g.add((location, DCT.identifier, Literal(code)))
            g.add((location, SKOS.prefLabel, Literal(region.name if region else code, lang="fr")))
            # The region's own extent (a catalogue shares one node per region).
            # DCAT-AP 3 wants locn:geometry to be a locn:Geometry node: the
            # extent, a bounding box, goes in dcat:bbox only.
            extent = _wkt_extent(code)
            if extent:
                g.set((location, DCAT.bbox, Literal(extent[0], datatype=GSP.wktLiteral)))
                g.set((location, DCAT.centroid, Literal(extent[1], datatype=GSP.wktLiteral)))

    def _graph_concepts(self, data: dict, ref: Any) -> None:
        if data.get("ocs_characteristic"):
            self.g.add((ref, DCT.type, self._concept(
                "characteristic", data["ocs_characteristic"],
                record.schema_field("ocs_characteristic"))))
        for theme, labels in THEMES.items():
            self.g.add((ref, DCAT.theme, theme))
            self.g.add((theme, RDF.type, SKOS.Concept))
            for lang, text in labels.items():
                self.g.add((theme, SKOS.prefLabel, Literal(text, lang=lang)))
        for dimension in data.get("dimensions") or []:
            self.g.add((ref, DCAT.theme, self._concept("dimension", dimension,
                                                       record.schema_field("dimensions"))))
        # The base's own update frequency; the record's review frequency is
        # how often the CRIGE re-reads the card, not how often the data change.
        if data.get("update_frequency"):
            uri = URIRef(EU_FREQUENCY + data["update_frequency"])
            self.g.add((ref, DCT.accrualPeriodicity, uri))
            self.g.add((uri, RDF.type, DCT.Frequency))
        if data.get("internal_id"):
            identifier = URIRef(f"{ref}#identifier")
            self.g.add((ref, ADMS.identifier, identifier))
            self.g.add((identifier, RDF.type, ADMS.Identifier))
            self.g.add((identifier, SKOS.notation, Literal(data["internal_id"])))

    def _period(self, start: int, end: int) -> BNode:
        period = BNode()
        self.g.add((period, RDF.type, DCT.PeriodOfTime))
        self.g.add((period, DCAT.startDate, Literal(f"{start:04d}-01-01", datatype=XSD.date)))
        self.g.add((period, DCAT.endDate, Literal(f"{end:04d}-12-31", datatype=XSD.date)))
        return period

    def _graph_vintages(self, data: dict, ref: Any) -> None:
        """One dct:temporal, first vintage to latest available one (consumers
        keep one period); each vintage as the prov:Activity that produced it
        (DCAT-AP 3 "was generated by"), with its year, status and note.

        Not a dcat:Dataset per vintage: harvesters (ckanext-dcat's, data.gouv.fr's)
        would import each one as a dataset of its own.
        """
        status_field = record.schema_field("vintages", "status")
        vintages = [v for v in data.get("vintages") or [] if str(v.get("year") or "").isdigit()]
        years = [int(v["year"]) for v in vintages]
        available = [int(v["year"]) for v in vintages if v.get("status") == "available"]
        if available:
            self.g.add((ref, DCT.temporal, self._period(min(years), max(available))))
            self.g.set((ref, DCAT.version, Literal(str(max(available)))))
        for vintage in vintages:
            year = int(vintage["year"])
            activity = URIRef(f"{ref}#vintage-{year}")
            self.g.add((ref, PROV.wasGeneratedBy, activity))
            self.g.add((activity, RDF.type, PROV.Activity))
            self.g.add((activity, RDFS.label, Literal(f"Millésime {year}", lang="fr")))
            self.g.add((activity, DCT.temporal, self._period(year, year)))
            if vintage.get("status"):
                self.g.add((activity, ADMS.status, self._concept(
                    "vintage-status", vintage["status"], status_field)))
            if vintage.get("note"):
                self.g.add((activity, SKOS.note, Literal(vintage["note"], lang="fr")))

    def _graph_agents_and_links(self, data: dict, ref: Any) -> None:
        g = self.g
        for producer in data.get("producers") or []:
            agent = BNode()
            g.add((ref, DCT.creator, agent))
            g.add((agent, RDF.type, FOAF.Agent))
            g.add((agent, FOAF.name, Literal(producer)))
        if data.get("viewer_url"):
            page = URIRef(data["viewer_url"])
            g.add((ref, DCAT.landingPage, page))
            g.add((page, RDF.type, FOAF.Document))
        if data.get("imagery"):
            provenance = BNode()
            g.add((ref, DCT.provenance, provenance))
            g.add((provenance, RDF.type, DCT.ProvenanceStatement))
            g.add((provenance, RDFS.label, Literal(data["imagery"], lang="fr")))

    def _graph_distributions(self, data: dict, ref: Any) -> None:
        """The data link, as a distribution beside those of the resources."""
        if data.get("data_url"):
            g = self.g
            distribution = URIRef(f"{ref}{DATA_LINK_FRAGMENT}")
            g.add((ref, DCAT.distribution, distribution))
            g.add((distribution, RDF.type, DCAT.Distribution))
            g.add((distribution, DCAT.accessURL, URIRef(data["data_url"])))
            g.add((distribution, DCT.title, Literal("Accès aux données", lang="fr")))
            g.add((distribution, DCT.title, Literal("Data access", lang="en")))

    def _licence(self, license_id: Any) -> Optional[URIRef]:
        """The licence's canonical IRI (EU authority, else its own page, else
        the registry's vocabulary); None when it is not specified."""
        licence = licences.register().get(str(license_id or ""), None)
        if licence is None or licence.id == NOT_SPECIFIED:
            return None
        uri = URIRef(licences.canonical_uri(licence.id)
                     or f"{vocabulary_base()}licence/{licence.id}")
        self.g.add((uri, RDF.type, DCT.LicenseDocument))
        # The register's title: a stock ckanext-dcat parser matches it when the
        # IRI is not the URL of its own licence list.
        self.g.add((uri, DCT.title, Literal(licence.title)))
        return uri

    def _graph_publication(self, data: dict, ref: Any) -> None:
        """Licence, keywords and a description when the notes are empty."""
        g = self.g
        licence = self._licence(data.get("license_id"))
        if licence is not None:
            # W3C DCAT 3 gives dcat:Resource a licence: a record with no
            # distribution still carries it (data.gouv.fr reads it there too).
            g.add((ref, DCT.license, licence))
        for distribution in g.objects(ref, DCAT.distribution):
            # ckanext-dcat put the register's URL (when it is one): the canonical IRI instead.
            g.remove((distribution, DCT.license, None))
            if licence is not None:
                g.add((distribution, DCT.license, licence))
        keywords = [LAND_COVER_KEYWORD]
        if data.get("ocs_characteristic"):
            keywords.append(record.choice_label(record.schema_field("ocs_characteristic"),
                                                data["ocs_characteristic"], "fr"))
        codes = [data.get("region_code")] + list(data.get("former_region_codes") or [])
        keywords += [regions.get(str(c)).name for c in codes if c and regions.get(str(c))]
        keywords += [record.choice_label(record.schema_field("dimensions"), d, "fr").lower()
                     for d in data.get("dimensions") or []]
        for keyword in dict.fromkeys(k for k in keywords if k):
            g.add((ref, DCAT.keyword, Literal(keyword, lang="fr")))
        if not str(g.value(ref, DCT.description) or "").strip():
            g.remove((ref, DCT.description, None))
            g.add((ref, DCT.description, Literal(generated_description(data), lang="fr")))

    def _graph_measurements(self, data: dict, ref: Any) -> None:
        g = self.g
        for name, (metric, unit) in MEASURES.items():
            value = _number(data.get(name))
            comment = data.get("mmu") if name == "mmu_m2" else None
            if value is None and not comment:
                continue
            measurement = BNode()
            g.add((ref, DQV.hasQualityMeasurement, measurement))
            g.add((measurement, RDF.type, DQV.QualityMeasurement))
            metric_uri = self._labelled_concept(URIRef(f"{vocabulary_base()}metric/{metric}"),
                                                METRIC_LABELS[metric], self._registry_scheme("metric"))
            g.add((metric_uri, RDF.type, DQV.Metric))
            g.add((measurement, DQV.isMeasurementOf, metric_uri))
            if value is not None:
                g.add((measurement, DQV.value, value))
            if unit and value is not None:
                g.add((measurement, SDMX_ATTR.unitMeasure, self._labelled_concept(
                    URIRef(unit), {"fr": UNIT_LABELS[unit]},
                    self._scheme(QUDT_UNITS, {"en": "QUDT units"}))))
            if comment:
                g.add((measurement, RDFS.comment, Literal(comment, lang="fr")))

    def _graph_quality(self, data: dict, ref: Any) -> None:
        g = self.g
        if data.get("class_details") or data.get("level_details"):
            standard = URIRef(f"{ref}#nomenclature")
            g.add((ref, DCT.conformsTo, standard))
            g.add((standard, RDF.type, DCT.Standard))
            g.add((standard, DCT.title, Literal("Nomenclature", lang="fr")))
            if data.get("class_details"):
                g.add((standard, DCT.description, Literal(data["class_details"], lang="fr")))
            if data.get("level_details"):
                g.add((standard, SKOS.scopeNote, Literal(data["level_details"], lang="fr")))
        if data.get("interpretation_scale"):
            g.add((ref, GEODCATAP.spatialResolutionAsText,
                   Literal(data["interpretation_scale"], lang="fr")))
        if data.get("quality_control"):
            annotation, body = BNode(), BNode()
            g.add((ref, DQV.hasQualityAnnotation, annotation))
            g.add((annotation, RDF.type, DQV.QualityAnnotation))
            g.add((annotation, OA.motivatedBy, DQV.qualityAssessment))
            g.add((annotation, OA.hasBody, body))
            g.add((body, RDF.value, Literal(data["quality_control"], lang="fr")))

    # Input (DCAT harvesting)

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> dict[str, Any]:
        # RDFParser ignores the return value: the dict is changed in place.
        super().parse_dataset(dataset_dict, dataset_ref)
        if not self._is_registry_record(dataset_ref):
            return dataset_dict
        record: dict[str, Any] = {"type": DATASET_TYPE}
        self._parse_base(record, dataset_dict)
        for part in RECORD_PARTS:
            getattr(self, f"_parse_{part}")(record, dataset_ref, dataset_dict)
        dataset_dict.clear()
        dataset_dict.update(record)
        return dataset_dict

    def _is_registry_record(self, ref: Any) -> bool:
        return any(_concept_value(t, "characteristic") for t in self.g.objects(ref, DCT.type)) or \
            bool(self._region_codes(ref))

    def _region_codes(self, ref: Any) -> list[str]:
        return [str(location)[len(INSEE_REGION):] for location in self.g.objects(ref, DCT.spatial)
                if str(location).startswith(INSEE_REGION)]

    def _text_at(self, ref: Any, predicate: Any, *path: Any) -> Optional[str]:
        """The text at the end of ``ref predicate node path...``.

        Of several ``predicate`` nodes, the last one that leads to a value wins.
        """
        found = None
        for node in self.g.objects(ref, predicate):
            for step in path:
                # g.value(None, p) would match any subject.
                node = None if node is None else self.g.value(node, step)
            if node:
                found = str(node)
        return found

    @staticmethod
    def _parse_base(record: dict[str, Any], parsed: dict[str, Any]) -> None:
        """What euro_dcat_ap_3 read that the registry schema has a field for."""
        extras = parsed.get("extras") or []
        extra_values = {e["key"]: e["value"] for e in extras}
        for key in ("title", "notes", "name"):
            _put(record, key, parsed.get(key))
        for key in ("contact_name", "contact_email"):
            _put(record, key, parsed.get(key) or extra_values.get(key))
        # ckanext-dcat's harvester keeps its guid among the extras.
        record["extras"] = [e for e in extras if e["key"] in ("guid", "uri", "identifier")]

    def _parse_spatial(self, record: dict[str, Any], ref: Any, _parsed: dict) -> None:
        current, former, unknown = None, [], []
        for code in self._region_codes(ref):
            region = regions.get(code)
            if region is None:
                unknown.append(code)
            elif region.merged:
                former.append(code)
            else:
                current = code
        if current or unknown:
            # An unknown code is kept so that validation names it.
            record["region_code"] = current or unknown[0]
        if former:
            record["former_region_codes"] = sorted(former)

    def _parse_concepts(self, record: dict[str, Any], ref: Any, _parsed: dict) -> None:
        g = self.g
        _put(record, "ocs_characteristic",
             _last(_concept_value(t, "characteristic") for t in g.objects(ref, DCT.type)))
        dimensions = (_concept_value(t, "dimension") for t in g.objects(ref, DCAT.theme))
        _put(record, "dimensions", sorted(filter(None, dimensions)))
        known = _frequency_codes()
        _put(record, "update_frequency",
             _last(code for code in (str(f)[len(EU_FREQUENCY):] for f in g.objects(
                 ref, DCT.accrualPeriodicity) if str(f).startswith(EU_FREQUENCY)) if code in known))
        _put(record, "internal_id", self._text_at(ref, ADMS.identifier, SKOS.notation))

    def _parse_vintages(self, record: dict[str, Any], ref: Any, _parsed: dict) -> None:
        vintages = list(filter(None, map(self._vintage, self.g.objects(ref, PROV.wasGeneratedBy))))
        _put(record, "vintages", sorted(vintages, key=lambda v: v["year"]))

    def _vintage(self, activity: Any) -> Optional[dict[str, Any]]:
        period = self.g.value(activity, DCT.temporal)
        start = None if period is None else self.g.value(period, DCAT.startDate)
        if start is None or not str(start)[:4].isdigit():
            return None
        status = _concept_value(self.g.value(activity, ADMS.status) or "", "vintage-status")
        vintage: dict[str, Any] = {"year": int(str(start)[:4]), "status": status or "available"}
        _put(vintage, "note", _text(self.g.value(activity, SKOS.note)))
        return vintage

    def _parse_agents_and_links(self, record: dict[str, Any], ref: Any, _parsed: dict) -> None:
        g = self.g
        names = (_text(g.value(agent, FOAF.name)) for agent in g.objects(ref, DCT.creator))
        _put(record, "producers", sorted(filter(None, names)))
        _put(record, "viewer_url", _text(g.value(ref, DCAT.landingPage)))
        _put(record, "imagery", self._text_at(ref, DCT.provenance, RDFS.label))

    @staticmethod
    def _parse_distributions(record: dict[str, Any], _ref: Any, parsed: dict[str, Any]) -> None:
        """euro_dcat_ap_3 read every distribution as a resource: the data link's is taken out."""
        resources = []
        for resource in parsed.get("resources") or []:
            if str(resource.get("uri") or "").endswith(DATA_LINK_FRAGMENT):
                record["data_url"] = resource.get("access_url") or resource.get("url")
            else:
                resources.append({k: resource[k] for k in ("url", "name", "description",
                                                           "format", "uri") if resource.get(k)})
        record["resources"] = resources

    def _parse_publication(self, record: dict[str, Any], ref: Any, parsed: dict[str, Any]) -> None:
        nodes = [ref] + list(self.g.objects(ref, DCAT.distribution))
        ids = (licences.by_uri(lic) for node in nodes for lic in self.g.objects(node, DCT.license))
        _put(record, "license_id", _last(ids) or parsed.get("license_id"))
        if record.get("notes") == generated_description(record):
            del record["notes"]  # written for DCAT-AP, not by the source's editors

    def _parse_measurements(self, record: dict[str, Any], ref: Any, _parsed: dict) -> None:
        g = self.g
        for measurement in g.objects(ref, DQV.hasQualityMeasurement):
            metric = _concept_value(g.value(measurement, DQV.isMeasurementOf) or "", "metric")
            name = METRIC_FIELDS.get(metric)
            if name is None:
                continue
            value = g.value(measurement, DQV.value)
            if value is not None:
                record[name] = str(value)
            if name == "mmu_m2":
                _put(record, "mmu", _text(g.value(measurement, RDFS.comment)))

    def _parse_quality(self, record: dict[str, Any], ref: Any, _parsed: dict) -> None:
        _put(record, "class_details", self._text_at(ref, DCT.conformsTo, DCT.description))
        _put(record, "level_details", self._text_at(ref, DCT.conformsTo, SKOS.scopeNote))
        _put(record, "interpretation_scale",
             _text(self.g.value(ref, GEODCATAP.spatialResolutionAsText)))
        _put(record, "quality_control",
             self._text_at(ref, DQV.hasQualityAnnotation, OA.hasBody, RDF.value))
