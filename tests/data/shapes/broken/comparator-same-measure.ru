# Broken: the England average is of another measure.
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08/statistic/feel-safe/comparator> cqc:measure <id/measure/ascs-feel-safe> .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08/statistic/feel-safe/comparator> cqc:measure <id/measure/ascs-satisfaction> .
}
