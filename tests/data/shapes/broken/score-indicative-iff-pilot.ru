# Broken: an indicative score in a formal assessment.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08/score/safeguarding> cqc:indicative false .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08/score/safeguarding> cqc:indicative true .
}
