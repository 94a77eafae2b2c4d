"""The wbkg ontology: schema as data (schema.yaml), the model read from it, OWL and SHACL built from it."""

# The default base of every IRI wbkg mints (``WBKG_BASE_IRI`` overrides it); kept here, import-free,
# so that the configuration (a layer above) and the vocabulary share it without loading rdflib.
DEFAULT_BASE_IRI = "https://wbkg.org/"
