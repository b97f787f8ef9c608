# Broken: the assessment does not list the safeguarding score (statementsScored and percentage follow).
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08> cqc:hasScore <id/assessment/E09000033/2024-11-08/score/safeguarding> .
  <id/assessment/E09000033/2024-11-08> cqc:statementsScored 9 .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08> cqc:statementsScored 8 .
}
