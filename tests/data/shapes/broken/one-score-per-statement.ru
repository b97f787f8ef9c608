# Broken: two scores are for the quality statement Safe pathways, systems and transitions.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08/score/safeguarding> cqc:qualityStatement <id/framework/quality-statement/safeguarding> .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08/score/safeguarding> cqc:qualityStatement <id/framework/quality-statement/safe-pathways-systems-and-transitions> .
}
