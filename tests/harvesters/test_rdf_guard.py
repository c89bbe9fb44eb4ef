"""RDF that would crash ckanext-dcat's parser is turned into a message."""
from ckanext.ocsregistry.harvesters import rdf_guard


def test_truncated_turtle_is_reported():
    message = rdf_guard.unreadable("@prefix dcat: <http://www.w3.org/ns/dcat#> . <a> dcat:x")
    assert message and message.startswith("Error parsing the RDF file")


def test_errors_ckanext_dcat_reports_itself_and_good_rdf_pass():
    assert rdf_guard.unreadable("<rdf:RDF") is None  # SAX error: ckanext-dcat reports it
    assert rdf_guard.unreadable("<a> <b> <c> .") is None
    assert rdf_guard.unreadable('{"@id": "a", "http://b": "c"}') is None
