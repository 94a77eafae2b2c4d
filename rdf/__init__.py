"""RDF: the mapping between the graph and triples, export, import and SPARQL twins."""
