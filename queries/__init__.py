"""Canned Cypher queries (one ``.cypher`` file each, with a header) and the machinery to run saved scripts."""

from wbkg.queries.registry import Param, Query, Statement, canned_queries, get_query, parse_query

__all__ = ["Param", "Query", "Statement", "canned_queries", "get_query", "parse_query"]
