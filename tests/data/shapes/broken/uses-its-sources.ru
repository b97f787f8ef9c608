# Broken: the assessment does not list its source document with prov:used.
# expect: UsesItsSources Assessment-used
BASE <https://w3id.org/cqc-kg/>
PREFIX prov: <http://www.w3.org/ns/prov#>
DELETE DATA {
  <id/assessment/E09000033/2024-11-08> prov:used <id/source/569e1196a53f26353759ad29b02bae0b50e64d6daf5bc611bbcca54e26d23169> .
}
