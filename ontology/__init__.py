"""The wbkg ontology: schema as data (schema.yaml), the model read from it, OWL and SHACL built from it."""
