# Broken: a link on a shared topic that does not say it was inferred.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08/link/carers-strategy-carers-not-known> cqc:inferred true .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08/link/carers-strategy-carers-not-known> cqc:inferred false .
}
