# Broken: the percentage is 72.00 but nine scores of 3 give 75.00.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08> cqc:percentage 75.00 .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08> cqc:percentage 72.00 .
}
