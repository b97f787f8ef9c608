# Broken: the addressing link's strategy does not say it addresses the gap.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08/strategy/carers-strategy-2023-2028> cqc:addresses <id/assessment/E09000033/2024-11-08/finding/carers-not-known> .
}
