# Broken: a formal assessment with an indicative rating.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08> cqc:ratingIndicative false .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08> cqc:ratingIndicative true .
}
