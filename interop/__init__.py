"""Ways in and out of the graph in other tools' formats: FollowTheMoney, BODS 0.4, GEXF, GraphML,
neo4j-admin import CSVs and Neo4j database dumps. Every export reads one consistent snapshot."""
