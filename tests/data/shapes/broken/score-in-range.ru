# Broken: the safeguarding score is 5 (the percentage follows it: 29/36, rounded up).
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08> cqc:percentage 75.00 .
  <id/assessment/E09000033/2024-11-08/score/safeguarding> cqc:score 3 .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08> cqc:percentage 81.0 .
  <id/assessment/E09000033/2024-11-08/score/safeguarding> cqc:score 5 .
}
