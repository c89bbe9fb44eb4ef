"""The WSGI application gunicorn serves: CKAN's, built from the file in $CKAN_INI.

CKAN's deployment documentation asks for this small file (the package ships
none); the configuration path comes from the environment so that one file
serves every site (supervisord sets CKAN_INI for the web program).
"""
import os
from logging.config import fileConfig

from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app

_ini = os.path.abspath(os.environ["CKAN_INI"])
fileConfig(_ini, disable_existing_loggers=False)
application = make_app(CKANConfigLoader(_ini).get_config())
