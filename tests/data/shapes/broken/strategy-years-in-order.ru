# Broken: the strategy starts in 2029 and ends in 2028.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08/strategy/carers-strategy-2023-2028> cqc:startYear "2023"^^xsd:gYear .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08/strategy/carers-strategy-2023-2028> cqc:startYear "2029"^^xsd:gYear .
}
