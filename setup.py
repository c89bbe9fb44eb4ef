from setuptools import find_namespace_packages, setup

setup(
    name="ckanext-ocsregistry",
    version="0.2.0",
    description="National registry of French regional land-cover (OCS) databases for CKAN",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="AGPL-3.0-or-later",
    python_requires=">=3.9",
    packages=find_namespace_packages(include=["ckanext.*"], exclude=["tests*"]),
    namespace_packages=["ckanext"],
    include_package_data=True,
    zip_safe=False,
    install_requires=[
        "ckanext-scheming>=3.1",
        "ckanext-spatial>=2.3",
        "pyyaml",
        "openpyxl",
        "xlsxwriter>=3.2",
        "rfc3986>=2.0",
        "cairosvg>=2.7",
    ],
    extras_require={
        # the ocsregistry_harvester plugin and the DCAT profile
        "harvest": [
            "ckanext-harvest>=1.6",
            "ckanext-dcat>=2.4",
        ],
    },
    entry_points={
        "ckan.plugins": [
            "ocsregistry = ckanext.ocsregistry.plugin:OcsregistryPlugin",
            "ocsregistry_harvester = "
            "ckanext.ocsregistry.harvesters.plugin:OcsregistryHarvesterPlugin",
            # ckanext-spatial's csw_harvester with its XML-declaration bug fixed
            "ocsregistry_csw_harvester = "
            "ckanext.ocsregistry.harvesters.csw_harvester:OcsregistryCSWHarvester",
        ],
        "ckan.rdf.profiles": [
            "ocsregistry_dcat_ap = ckanext.ocsregistry.profiles:OcsRegistryDCATAPProfile",
        ],
        "babel.extractors": [
            "ckan = ckan.lib.extract:extract_ckan",
        ],
    },
    message_extractors={
        "ckanext": [
            ("**.py", "python", None),
            ("**.js", "javascript", None),
            ("**/templates/**.html", "ckan", None),
        ],
    },
)
