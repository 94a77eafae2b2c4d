"""wbkg: a sourced, contestation-aware knowledge graph of China's security influence in the Western Balkans.

One import namespace. The top-level folders of the repository are its subpackages (see the README's
layout table), layered bottom to top and checked by import-linter (``make lint``):

    errors → ontology → config → loaders → rdf, graph → queries → browser → cli
"""
