"""DCAT-AP 3 / GeoDCAT-AP for registry records (ckanext-dcat profile ``ocsregistry_dcat_ap``).

Builds on ckanext-dcat's ``euro_dcat_ap_3`` (title, description, publisher from
the CRIGE, contact point, resources as distributions) and adds the field card:

==========================  ===============================================
region, pre-2016 regions    ``dct:spatial`` -> ``dct:Location`` with the INSEE
                            URI, code, name and ``dcat:bbox`` (WKT)
OCS type                    ``dct:type`` (concept of the registry vocabulary)
dimensions                  ``dcat:theme`` (registry concepts, plus the INSPIRE
                            "Land cover" theme and the EU "Environment" theme)
vintages                    one ``dct:temporal`` period per vintage (year,
                            ``adms:status``, ``skos:note``); ``dcat:version`` =
                            latest available vintage
producers                   ``dct:creator`` -> ``foaf:Agent``
data link                   a ``dcat:Distribution`` (``dcat:accessURL``)
viewer link                 ``dcat:landingPage``
minimum mapping unit,       ``dqv:hasQualityMeasurement`` (value + metric of the
class/level counts, area    registry vocabulary); MMU text as its ``rdfs:comment``
nomenclature                ``dct:conformsTo`` -> ``dct:Standard`` (classes as
                            description, levels as ``skos:scopeNote``)
interpretation scale        ``geodcatap:spatialResolutionAsText``
imagery                     ``dct:provenance`` (``dct:ProvenanceStatement``)
quality control             ``dqv:hasQualityAnnotation`` (text)
review frequency            ``dct:accrualPeriodicity`` (EU frequency table)
internal identifier         ``adms:identifier`` (``skos:notation``)
==========================  ===============================================

Restricted fields (prices, funders) are never written, whoever asks. The fields
DCAT has no property for are listed in ``NOT_CARRIED``.
"""
from __future__ import annotations

from typing import Any, Optional

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD, Namespace

import ckan.plugins.toolkit as tk
from ckanext.dcat.profiles import EuropeanDCATAP3Profile
from ckanext.dcat.profiles.base import ADMS, DCAT, DCT, FOAF, GSP, LOCN, VCARD
from ckanext.scheming.helpers import scheming_get_dataset_schema

from ckanext.ocsregistry import regions, registry_table, restricted
from ckanext.ocsregistry.registry_search import DATASET_TYPE

DQV = Namespace("http://www.w3.org/ns/dqv#")
OA = Namespace("http://www.w3.org/ns/oa#")
GEODCATAP = Namespace("http://data.europa.eu/930/")
SDMX_ATTR = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
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
FREQUENCIES = {"6": "ANNUAL_2", "12": "ANNUAL", "24": "BIENNIAL", "36": "TRIENNIAL"}
DATA_LINK_FRAGMENT = "#ocsregistry-data-link"

# name -> (metric id, unit)
MEASURES = {
    "mmu_m2": ("minimum-mapping-unit", "http://qudt.org/vocab/unit/M2"),
    "class_count": ("class-count", None),
    "level_count": ("level-count", None),
    "area_km2": ("area", "http://qudt.org/vocab/unit/KiloM2"),
}

# Fields of the field card with no DCAT-AP / GeoDCAT-AP property: not written,
# so lost in a CKAN -> DCAT -> CKAN round trip (tested).
NOT_CARRIED = frozenset((
    "ocs_characteristic_detail", "rendering_scale", "info_updated", "info_status",
    "amo_exists", "amo_content", "amo_duration_months", "amo_contractor",
    "project_duration_months", "production_duration_months", "funding_visibility",
    "services_crige", "services_viewer", "uses",
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


def _wkt_bbox(code: str) -> Optional[str]:
    box = regions.bbox([code])
    if box is None:
        return None
    w, s, e, n = box
    return f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))"


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
            publisher = BNode()
            g.add((catalog_ref, DCT.publisher, publisher))
            g.add((publisher, RDF.type, FOAF.Agent))
            g.add((publisher, FOAF.name, Literal(
                tk.config.get("ckanext.ocsregistry.catalog_publisher")
                or tk.config.get("ckan.site_title") or "CKAN")))
        for homepage in g.objects(catalog_ref, FOAF.homepage):
            g.add((homepage, RDF.type, FOAF.Document))

    def graph_from_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> None:
        if dataset_dict.get("type") != DATASET_TYPE:
            return super().graph_from_dataset(dataset_dict, dataset_ref)
        hidden = set(restricted.fields(DATASET_TYPE)) | {"spatial"}
        public = {k: v for k, v in dataset_dict.items() if k not in hidden}
        super().graph_from_dataset(public, dataset_ref)
        self._bind()
        self._spatial_graph(public, dataset_ref)
        self._concepts_graph(public, dataset_ref)
        self._vintages_graph(public, dataset_ref)
        self._agents_and_links_graph(public, dataset_ref)
        self._quality_graph(public, dataset_ref)
        self._explicit_classes(dataset_ref)

    def _explicit_classes(self, ref: Any) -> None:
        """State the classes DCAT-AP 3's shapes check, for consumers without inference."""
        for contact in self.g.objects(ref, DCAT.contactPoint):
            self.g.add((contact, RDF.type, VCARD.Kind))
        for distribution in self.g.objects(ref, DCAT.distribution):
            for predicate in (DCAT.accessURL, DCAT.downloadURL):
                for url in self.g.objects(distribution, predicate):
                    self.g.add((url, RDF.type, RDFS.Resource))

    def _bind(self) -> None:
        for prefix, namespace in (("dqv", DQV), ("oa", OA), ("geodcatap", GEODCATAP), ("sdmx-attribute", SDMX_ATTR),
                                  ("locn", LOCN), ("gsp", GSP), ("adms", ADMS)):
            self.g.bind(prefix, namespace)

    def _concept(self, scheme: str, value: str, field: dict) -> URIRef:
        uri = URIRef(f"{vocabulary_base()}{scheme}/{value}")
        self.g.add((uri, RDF.type, SKOS.Concept))
        self.g.add((uri, SKOS.inScheme, URIRef(f"{vocabulary_base()}{scheme}")))
        for lang in ("fr", "en"):
            self.g.add((uri, SKOS.prefLabel, Literal(registry_table.choice_label(field, value, lang),
                                                     lang=lang)))
        return uri

    def _spatial_graph(self, data: dict, ref: Any) -> None:
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
            bbox = _wkt_bbox(code)
            if bbox:
                g.set((location, DCAT.bbox, Literal(bbox, datatype=GSP.wktLiteral)))

    def _concepts_graph(self, data: dict, ref: Any) -> None:
        if data.get("ocs_characteristic"):
            self.g.add((ref, DCT.type, self._concept(
                "characteristic", data["ocs_characteristic"],
                registry_table.schema_field("ocs_characteristic"))))
        for theme, labels in THEMES.items():
            self.g.add((ref, DCAT.theme, theme))
            self.g.add((theme, RDF.type, SKOS.Concept))
            for lang, text in labels.items():
                self.g.add((theme, SKOS.prefLabel, Literal(text, lang=lang)))
        for dimension in data.get("dimensions") or []:
            self.g.add((ref, DCAT.theme, self._concept("dimension", dimension,
                                                       registry_table.schema_field("dimensions"))))
        frequency = FREQUENCIES.get(str(data.get("review_frequency_months") or ""))
        if frequency:
            uri = URIRef(EU_FREQUENCY + frequency)
            self.g.add((ref, DCT.accrualPeriodicity, uri))
            self.g.add((uri, RDF.type, DCT.Frequency))
        if data.get("internal_id"):
            identifier = BNode()
            self.g.add((ref, ADMS.identifier, identifier))
            self.g.add((identifier, RDF.type, ADMS.Identifier))
            self.g.add((identifier, SKOS.notation, Literal(data["internal_id"])))

    def _vintages_graph(self, data: dict, ref: Any) -> None:
        status_field = registry_table.schema_field("vintages", "status")
        available = []
        for vintage in data.get("vintages") or []:
            year = vintage.get("year")
            if not year:
                continue
            period = BNode()
            self.g.add((ref, DCT.temporal, period))
            self.g.add((period, RDF.type, DCT.PeriodOfTime))
            self.g.add((period, DCAT.startDate, Literal(str(year), datatype=XSD.gYear)))
            self.g.add((period, DCAT.endDate, Literal(str(year), datatype=XSD.gYear)))
            if vintage.get("status"):
                self.g.add((period, ADMS.status, self._concept(
                    "vintage-status", vintage["status"], status_field)))
                if vintage["status"] == "available":
                    available.append(int(year))
            if vintage.get("note"):
                self.g.add((period, SKOS.note, Literal(vintage["note"], lang="fr")))
        if available:
            self.g.set((ref, DCAT.version, Literal(str(max(available)))))

    def _agents_and_links_graph(self, data: dict, ref: Any) -> None:
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
        if data.get("data_url"):
            distribution = URIRef(f"{ref}{DATA_LINK_FRAGMENT}")
            g.add((ref, DCAT.distribution, distribution))
            g.add((distribution, RDF.type, DCAT.Distribution))
            g.add((distribution, DCAT.accessURL, URIRef(data["data_url"])))
            g.add((distribution, DCT.title, Literal("Accès aux données", lang="fr")))
            g.add((distribution, DCT.title, Literal("Data access", lang="en")))
        if data.get("imagery"):
            provenance = BNode()
            g.add((ref, DCT.provenance, provenance))
            g.add((provenance, RDF.type, DCT.ProvenanceStatement))
            g.add((provenance, RDFS.label, Literal(data["imagery"], lang="fr")))

    def _quality_graph(self, data: dict, ref: Any) -> None:
        g = self.g
        for name, (metric, unit) in MEASURES.items():
            value = _number(data.get(name))
            comment = data.get("mmu") if name == "mmu_m2" else None
            if value is None and not comment:
                continue
            measurement = BNode()
            g.add((ref, DQV.hasQualityMeasurement, measurement))
            g.add((measurement, RDF.type, DQV.QualityMeasurement))
            g.add((measurement, DQV.isMeasurementOf, URIRef(f"{vocabulary_base()}metric/{metric}")))
            if value is not None:
                g.add((measurement, DQV.value, value))
            if unit and value is not None:
                g.add((measurement, SDMX_ATTR.unitMeasure, URIRef(unit)))
            if comment:
                g.add((measurement, RDFS.comment, Literal(comment, lang="fr")))
        if data.get("class_details") or data.get("level_details"):
            standard = BNode()
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

    def _is_registry_record(self, ref: Any) -> bool:
        return any(_concept_value(t, "characteristic") for t in self.g.objects(ref, DCT.type)) or \
            any(str(s).startswith(INSEE_REGION) for s in self.g.objects(ref, DCT.spatial))

    def parse_dataset(self, dataset_dict: dict[str, Any], dataset_ref: Any) -> dict[str, Any]:
        # RDFParser ignores the return value: the dict is changed in place.
        super().parse_dataset(dataset_dict, dataset_ref)
        if not self._is_registry_record(dataset_ref):
            return dataset_dict
        g, ref = self.g, dataset_ref
        record: dict[str, Any] = {"type": DATASET_TYPE}
        for key in ("title", "notes", "name"):
            if dataset_dict.get(key):
                record[key] = dataset_dict[key]
        extras = {e["key"]: e["value"] for e in dataset_dict.get("extras") or []}
        for key in ("contact_name", "contact_email"):
            value = dataset_dict.get(key) or extras.get(key)
            if value:
                record[key] = value

        current, former, unknown = None, [], []
        for location in g.objects(ref, DCT.spatial):
            if not str(location).startswith(INSEE_REGION):
                continue
            code = str(location)[len(INSEE_REGION):]
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

        for value in g.objects(ref, DCT.type):
            if _concept_value(value, "characteristic"):
                record["ocs_characteristic"] = _concept_value(value, "characteristic")
        dimensions = sorted(filter(None, (_concept_value(t, "dimension")
                                          for t in g.objects(ref, DCAT.theme))))
        if dimensions:
            record["dimensions"] = dimensions
        for frequency in g.objects(ref, DCT.accrualPeriodicity):
            months = {v: k for k, v in FREQUENCIES.items()}.get(str(frequency).rsplit("/", 1)[-1])
            if months:
                record["review_frequency_months"] = months
        for identifier in g.objects(ref, ADMS.identifier):
            notation = g.value(identifier, SKOS.notation)
            if notation:
                record["internal_id"] = str(notation)

        vintages = []
        for period in g.objects(ref, DCT.temporal):
            start = g.value(period, DCAT.startDate)
            if start is None or not str(start)[:4].isdigit():
                continue
            vintage: dict[str, Any] = {"year": int(str(start)[:4])}
            status = _concept_value(g.value(period, ADMS.status) or "", "vintage-status")
            vintage["status"] = status or "available"
            note = g.value(period, SKOS.note)
            if note:
                vintage["note"] = str(note)
            vintages.append(vintage)
        if vintages:
            record["vintages"] = sorted(vintages, key=lambda v: v["year"])

        producers = sorted(str(g.value(a, FOAF.name)) for a in g.objects(ref, DCT.creator)
                           if g.value(a, FOAF.name))
        if producers:
            record["producers"] = producers
        landing = g.value(ref, DCAT.landingPage)
        if landing:
            record["viewer_url"] = str(landing)
        for provenance in g.objects(ref, DCT.provenance):
            if g.value(provenance, RDFS.label):
                record["imagery"] = str(g.value(provenance, RDFS.label))

        for measurement in g.objects(ref, DQV.hasQualityMeasurement):
            metric = _concept_value(g.value(measurement, DQV.isMeasurementOf) or "", "metric")
            for name, (metric_id, _unit) in MEASURES.items():
                if metric != metric_id:
                    continue
                value = g.value(measurement, DQV.value)
                if value is not None:
                    record[name] = str(value)
                comment = g.value(measurement, RDFS.comment)
                if name == "mmu_m2" and comment:
                    record["mmu"] = str(comment)
        for standard in g.objects(ref, DCT.conformsTo):
            if g.value(standard, DCT.description):
                record["class_details"] = str(g.value(standard, DCT.description))
            if g.value(standard, SKOS.scopeNote):
                record["level_details"] = str(g.value(standard, SKOS.scopeNote))
        scale = g.value(ref, GEODCATAP.spatialResolutionAsText)
        if scale:
            record["interpretation_scale"] = str(scale)
        for annotation in g.objects(ref, DQV.hasQualityAnnotation):
            body = g.value(annotation, OA.hasBody)
            if body is not None and g.value(body, RDF.value):
                record["quality_control"] = str(g.value(body, RDF.value))

        resources = []
        for resource in dataset_dict.get("resources") or []:
            if str(resource.get("uri") or "").endswith(DATA_LINK_FRAGMENT):
                record["data_url"] = resource.get("access_url") or resource.get("url")
            else:
                resources.append({k: resource[k] for k in ("url", "name", "description",
                                                           "format", "uri") if resource.get(k)})
        record["resources"] = resources
        # ckanext-dcat's harvester keeps its guid among the extras.
        record["extras"] = [e for e in dataset_dict.get("extras") or []
                            if e["key"] in ("guid", "uri", "identifier")]
        dataset_dict.clear()
        dataset_dict.update(record)
        return dataset_dict
