# Broken: the comparator is for Westminster itself.
BASE <https://w3id.org/cqc-kg/>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08/statistic/feel-safe/comparator> sdmx-dimension:refArea <http://statistics.data.gov.uk/id/statistical-geography/E92000001> .
} ;
INSERT DATA {
  <id/assessment/E09000033/2024-11-08/statistic/feel-safe/comparator> sdmx-dimension:refArea <http://statistics.data.gov.uk/id/statistical-geography/E09000033> .
}
