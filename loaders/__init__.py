"""Loaders: read and validate dataset files (YAML, RDF) and write them into Neo4j."""
