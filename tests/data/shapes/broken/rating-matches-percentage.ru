# Broken: the rating is requires improvement but the percentage (75.00) is in the good band.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08> cqc:overallRating <id/rating/good> .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08> cqc:overallRating <id/rating/requires-improvement> .
}
