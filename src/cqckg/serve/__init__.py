"""The SPARQL endpoint, Graph Store, linked data and web pages; the query workers."""
