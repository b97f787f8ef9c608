# Broken: the England average is for 2022, the council's value for 2023.
BASE <https://w3id.org/cqc-kg/>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08/statistic/feel-safe/comparator> sdmx-dimension:refPeriod "2023" .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08/statistic/feel-safe/comparator> sdmx-dimension:refPeriod "2022" .
}
