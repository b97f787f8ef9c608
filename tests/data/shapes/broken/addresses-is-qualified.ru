# Broken: the strategy addresses a second gap with no addressing link.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
INSERT DATA {
  <id/assessment/E09000033/2024-11-08/strategy/carers-strategy-2023-2028> cqc:addresses <id/assessment/E09000033/2024-11-08/finding/equipment-waits> .
}
