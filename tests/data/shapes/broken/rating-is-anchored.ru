# Broken: the assessment states its rating but not where (no cqc:ratingAnchor).
BASE <https://w3id.org/cqc-kg/>
PREFIX cqc: <https://w3id.org/cqc-kg/def#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08> cqc:ratingAnchor <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169/span/3259-3263> .
}
