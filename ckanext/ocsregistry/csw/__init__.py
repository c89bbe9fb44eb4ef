"""ISO 19139 metadata of registry records and the CSW 2.0.2 endpoint (pycsw).

``iso19139`` builds each public record's ISO 19139 document (CNIG's guide for
INSPIRE metadata); ``repository`` keeps pycsw's records table (in CKAN's
database) in step with the registry; ``server`` wraps pycsw's CSW server;
``views`` serves ``/csw`` and ``/ocsregistry/iso19139/<name>.xml``.
"""
