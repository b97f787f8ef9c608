# Broken: a finding that is neither a strength nor a gap.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08/finding/assessments-on-time> rdf:type cqc:Strength .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08/finding/assessments-on-time> rdf:type cqc:Finding .
}
