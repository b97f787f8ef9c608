# Broken: statementsScored is 8 but the assessment has 9 scores.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08> cqc:statementsScored 9 .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08> cqc:statementsScored 8 .
}
