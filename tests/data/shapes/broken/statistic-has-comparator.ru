# Broken: the council's statistic has lost its comparator.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08/statistic/feel-safe> cqc:comparator <id/assessment/E09000033/2024-11-08/statistic/feel-safe/comparator> .
}
