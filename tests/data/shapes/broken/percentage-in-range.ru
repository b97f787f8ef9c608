# Broken: the percentage is 150.00.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08> cqc:percentage 75.00 .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08> cqc:percentage 150.00 .
}
