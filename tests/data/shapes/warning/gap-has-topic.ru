# Warning only: a gap with no topic.
BASE <https://w3id.org/cqc-kg/>
PREFIX dcterms: <http://purl.org/dc/terms/>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08/finding/carers-not-known> dcterms:subject <id/topic/unpaid-carers> .
}
